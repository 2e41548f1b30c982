/** One lesson, one step at a time: explanation, the action, what we wait for, what happened. */
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { LessonRunner } from './runner.js';

/** After this long waiting, the step says what usually holds it up. */
const SLOW_MS = 30_000;

/** True once the live step has waited SLOW_MS. */
function useSlow(waiting: boolean, key: number): boolean {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    setSlow(false);
    if (!waiting) return;
    const t = setTimeout(() => setSlow(true), SLOW_MS);
    return () => clearTimeout(t);
  }, [waiting, key]);
  return slow;
}

export function LessonPlayer(props: { runner: LessonRunner }) {
  const s = useStore(props.runner);
  const slow = useSlow(s.phase === 'waiting', s.current);
  if (s.lesson === null) return null;
  const steps = s.lesson.steps;
  const step = steps[s.viewing];
  if (step === undefined) return null;
  const live = s.viewing === s.current;
  const facts = live ? s.facts : (s.factsAt[s.viewing] ?? s.facts);
  const phase = live ? s.phase : 'done';
  const last = s.current === steps.length - 1;
  const busy = s.cleaning || phase === 'acting';

  let progress: string;
  if (phase === 'acting') progress = 'Working…';
  else if (phase === 'waiting') progress = `Waiting for ${step.until?.waitingFor(facts) ?? '…'}`;
  else if (phase === 'done') progress = 'Done.';
  else if (phase === 'failed') progress = 'That did not work.';
  else progress = step.action ? 'Ready when you are.' : '';

  return (
    <article className="lesson" aria-label={`Lesson: ${s.lesson.title}`}>
      <header className="lesson-head">
        <h2>{s.lesson.title}</h2>
        <span className="lesson-count">
          Step {s.viewing + 1} of {steps.length}
        </span>
      </header>
      <section className="lesson-step" aria-label="Lesson step">
        <h3>{step.title}</h3>
        {step.paper !== undefined && <p className="paper">Raft paper: {step.paper}</p>}
        <p>{step.intro(facts)}</p>
        {live && step.action !== undefined && (phase === 'ready' || phase === 'failed') && (
          <button type="button" className="primary" disabled={busy} onClick={() => void s.act()}>
            {phase === 'failed'
              ? `Try again: ${step.action.label(facts)}`
              : step.action.label(facts)}
          </button>
        )}
        <p className={`lesson-progress phase-${phase}`} role="status" aria-label="Lesson progress">
          {progress}
        </p>
        {live && phase === 'waiting' && slow && (
          <p className="lesson-hint">
            This is taking a while. Raft needs a majority of nodes running and able to reach each
            other: look at the Cluster tab for a node that is down, paused or cut off.
          </p>
        )}
        {live && s.error !== null && (
          <p className="lesson-error" role="alert">
            {s.error}
          </p>
        )}
        {phase === 'done' && (
          <p className="lesson-outcome" aria-label="What happened">
            {step.outcome(facts)}
          </p>
        )}
      </section>
      <nav className="lesson-nav" aria-label="Lesson navigation">
        <button type="button" disabled={s.viewing === 0} onClick={() => s.back()}>
          Back
        </button>
        {!(live && last) && (
          <button type="button" disabled={live && phase !== 'done'} onClick={() => s.next()}>
            Next
          </button>
        )}
        {live && last && !s.finished && (
          <button
            type="button"
            className="primary"
            disabled={phase !== 'done' || busy}
            onClick={() => void s.finish()}
          >
            Finish
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => void s.restart()}>
          Restart lesson
        </button>
        <button type="button" disabled={s.cleaning} onClick={() => void s.leave()}>
          Leave lesson
        </button>
      </nav>
      {s.finished && (
        <p className="lesson-finished" role="status" aria-label="Lesson finished">
          Lesson complete. {cleanupText(s.cleanupNotes)}
        </p>
      )}
      {s.log.length > 0 && (
        <details className="lesson-log">
          <summary>What this lesson did to the cluster ({s.log.length})</summary>
          <ol>
            {s.log.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ol>
        </details>
      )}
    </article>
  );
}

function cleanupText(notes: readonly string[]): string {
  return notes.length === 0 ? 'Nothing needed putting back.' : `Put back: ${notes.join('; ')}.`;
}
