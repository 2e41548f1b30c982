/**
 * The slow-motion slider: every Raft timer of the cluster times a factor, so elections and
 * heartbeats happen slowly enough to watch. Changing it restarts the nodes one by one, so the
 * slider waits until the user stops moving it before asking, and shows the cluster's own factor
 * (ClusterStatus.slow) rather than its own position once the request is over.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { toRequestError } from '../api/errors.js';
import { useCluster, useStores } from '../store/context.js';

export const SLOW_STEPS: readonly number[] = [1, 2, 5, 10, 20];

/** The step closest to a factor (on a log scale: 0.4 is nearer 1 than 2 is). */
export function nearestStep(factor: number): number {
  let best = 0;
  SLOW_STEPS.forEach((s, i) => {
    const cur = SLOW_STEPS[best] ?? 1;
    if (Math.abs(Math.log(s / factor)) < Math.abs(Math.log(cur / factor))) best = i;
  });
  return best;
}

export function factorText(factor: number): string {
  if (factor === 1) return '1× (normal speed)';
  if (factor < 1) return `${factor}× (faster than normal)`;
  return `${factor}× slower`;
}

type Phase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'applying'; readonly factor: number }
  | { readonly kind: 'done'; readonly factor: number }
  | { readonly kind: 'error'; readonly text: string };

export function SlowMotionControl(props: { readonly settleMs?: number }) {
  const { api, cluster } = useStores();
  const current = useCluster((s) => s.status?.slow ?? null);
  const [chosen, setChosen] = useState<number | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);
  const id = useId();
  const settleMs = props.settleMs ?? 400;

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      if (timer.current !== null) clearTimeout(timer.current);
    };
  }, []);

  async function apply(factor: number): Promise<void> {
    if (factor === current) {
      setChosen(null);
      return;
    }
    setPhase({ kind: 'applying', factor });
    let next: Phase;
    try {
      await api.setSlow(factor);
      next = { kind: 'done', factor };
    } catch (e) {
      next = {
        kind: 'error',
        text: `Could not set slow motion to ${factor}×: ${toRequestError(e).message}`,
      };
    }
    await cluster.getState().refresh();
    if (!alive.current) return;
    setPhase(next);
    setChosen(null); // from now on the slider shows what the cluster reports
  }

  const index = chosen ?? (current === null ? 0 : nearestStep(current));
  // Off the steps (e.g. `--slow 0.4`), the thumb sits at the nearest step but says the real factor.
  const shown = chosen === null && current !== null ? current : (SLOW_STEPS[index] ?? 1);
  return (
    <div className="slow-motion" role="group" aria-labelledby={`${id}-label`}>
      <label id={`${id}-label`} htmlFor={`${id}-range`}>
        Slow motion
      </label>
      <input
        id={`${id}-range`}
        type="range"
        min={0}
        max={SLOW_STEPS.length - 1}
        step={1}
        value={index}
        disabled={current === null}
        aria-valuetext={factorText(shown)}
        aria-describedby={`${id}-now`}
        onChange={(e) => {
          const i = Number(e.target.value);
          setChosen(i);
          if (timer.current !== null) clearTimeout(timer.current);
          timer.current = setTimeout(() => {
            timer.current = null;
            void apply(SLOW_STEPS[i] ?? 1);
          }, settleMs);
        }}
      />
      <output id={`${id}-now`} htmlFor={`${id}-range`} aria-live="polite">
        {current === null ? 'cluster not reached yet' : `Raft timers ${factorText(current)}`}
      </output>
      {phase.kind === 'applying' && (
        <span className="slow-note" role="status">
          Setting {phase.factor}×: the nodes restart one by one…
        </span>
      )}
      {phase.kind === 'error' && (
        <span className="slow-note bad" role="alert">
          {phase.text}
        </span>
      )}
    </div>
  );
}
