/**
 * Guided scenarios that drive the real cluster step by step (issue 5 §2), and the panel to record
 * a session and check it for linearizability (issue 6 §5).
 */
import { useStore } from 'zustand';
import { useStores } from '../store/context.js';
import { VerifyPanel } from '../verify/VerifyPanel.js';
import { LESSONS } from './catalog/index.js';
import { LessonPlayer } from './LessonPlayer.js';
import { LiveNodes } from './LiveNodes.js';
import { runnerFor } from './runner-for.js';
import './lessons.css';

export function LessonsView() {
  const stores = useStores();
  const runner = runnerFor(stores);
  const lesson = useStore(runner, (s) => s.lesson);
  const cleaning = useStore(runner, (s) => s.cleaning);
  const notes = useStore(runner, (s) => s.cleanupNotes);

  return (
    <section aria-label="Lessons" className="lessons-view">
      <div className="lessons-main">
        {lesson === null ? (
          <div className="lesson-list">
            <h2>Lessons</h2>
            <p>
              Each lesson drives this real cluster one step at a time and explains what Raft does,
              with the node ids and terms it actually sees. You can watch the Cluster tab while a
              lesson runs; leaving, restarting or finishing puts back what it changed.
            </p>
            {cleaning && <p role="status">Putting the cluster back…</p>}
            {!cleaning && notes.length > 0 && <p role="status">Put back: {notes.join('; ')}.</p>}
            <ul aria-label="Lessons to choose">
              {LESSONS.map((l) => (
                <li key={l.id}>
                  <button
                    type="button"
                    disabled={cleaning}
                    onClick={() => runner.getState().start(l)}
                  >
                    {l.title}
                  </button>
                  <span>{l.summary}</span>
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <LessonPlayer runner={runner} />
        )}
      </div>
      <aside className="lessons-side">
        <LiveNodes />
        <VerifyPanel />
      </aside>
    </section>
  );
}
