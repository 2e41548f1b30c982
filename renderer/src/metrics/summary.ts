/**
 * The sentences next to each chart. A canvas says nothing to a screen reader, so every number a
 * chart shows is also here, as text that updates with it.
 */
import { RECENT_S, type LeaderChange, type MetricsSnapshot } from './sampler.js';

export function windowText(windowS: number): string {
  return windowS % 60 === 0 ? `${windowS / 60} min` : `${windowS} s`;
}

function rate(x: number): string {
  return x >= 10 || Number.isInteger(x) ? String(Math.round(x)) : x.toFixed(1);
}

function ms(x: number): string {
  return `${Math.round(x)} ms`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Local wall-clock time, HH:MM:SS. */
export function clockText(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}

export function throughputText(m: MetricsSnapshot): string {
  const s = m.summary;
  return (
    `${rate(s.throughput)} entries/s committed (average of the last ${RECENT_S} s); ` +
    `${plural(s.entries, 'entry', 'entries')} committed in the last ${windowText(m.windowS)}.`
  );
}

export function latencyText(m: MetricsSnapshot): string {
  const s = m.summary;
  const within = `in the last ${windowText(m.windowS)}`;
  if (s.writes === 0 || s.latencyP50 === null || s.latencyMax === null) {
    return `No write from this window committed ${within}: create or change a task to measure one.`;
  }
  const last = s.lastLatency === null ? '' : `; the last took ${ms(s.lastLatency)}`;
  return (
    `Median ${ms(s.latencyP50)}, max ${ms(s.latencyMax)} from sent to committed, over ` +
    `${plural(s.writes, 'write')} from this window ${within}${last}.`
  );
}

function changeText(c: LeaderChange): string {
  const took = c.durationMs === null ? '' : ` after ${ms(c.durationMs)} without a leader`;
  return `node ${c.leaderId} became leader of term ${c.term} at ${clockText(c.at)}${took}`;
}

export function electionsText(m: MetricsSnapshot): string {
  const s = m.summary;
  const now =
    s.term === null
      ? 'Term not known yet.'
      : `Term ${s.term}, ${s.leaderId === null ? 'no leader known' : `leader node ${s.leaderId}`}.`;
  const count = `${plural(s.elections, 'election')} in the last ${windowText(m.windowS)}`;
  return `${now} ${count}${s.lastChange === null ? '' : `; the last: ${changeText(s.lastChange)}`}.`;
}
