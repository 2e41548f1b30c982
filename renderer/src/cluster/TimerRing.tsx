/**
 * A node's election timer as a ring that fills as ticks pass without hearing from a leader; a
 * full ring is an election. A leader's ring is drawn solid: it sends heartbeats instead.
 */
import type { ClusterNode } from '../../../cluster/api/control.js';

const R = 10;
const C = 2 * Math.PI * R;

export function timerText(n: ClusterNode): { fraction: number; label: string; state: string } {
  if (n.status !== 'running' && n.status !== 'paused') {
    return { fraction: 0, label: `Election timer of node ${n.id}: not running`, state: 'off' };
  }
  if (n.role === 'leader') {
    return {
      fraction: 1,
      label: `Election timer of node ${n.id}: leader, sends heartbeats instead`,
      state: 'leader',
    };
  }
  const timeout = Math.max(0, n.electionTimeout);
  const elapsed = Math.max(0, Math.min(n.electionElapsed, timeout));
  const fraction = timeout === 0 ? 0 : elapsed / timeout;
  const ms = (t: number): number => Math.round(t * n.tickMs);
  const paused = n.status === 'paused' ? ' (paused: frozen)' : '';
  return {
    fraction,
    label:
      `Election timer of node ${n.id}: ${elapsed} of ${timeout} ticks ` +
      `(${ms(elapsed)} of ${ms(timeout)} ms)${paused}`,
    state: fraction >= 0.75 ? 'late' : 'ok',
  };
}

export function TimerRing(props: { node: ClusterNode }) {
  const { fraction, label, state } = timerText(props.node);
  return (
    <svg className={`timer-ring timer-${state}`} viewBox="0 0 24 24" role="img" aria-label={label}>
      <circle className="timer-track" cx="12" cy="12" r={R} />
      <circle
        className="timer-fill"
        cx="12"
        cy="12"
        r={R}
        strokeDasharray={C}
        strokeDashoffset={C * (1 - fraction)}
        transform="rotate(-90 12 12)"
      />
    </svg>
  );
}
