import type { Message } from '../raft/index.js';

/**
 * A readable record of a run, one short line per event:
 *   t=1230ms n2→n3 app t4 p9@3 i10..12 c9
 *   t=2000ms CRASH n3
 *   t=2010ms n1 became leader t5
 * Only built when asked for (sweeps pass no Trace and every call site checks for one first),
 * because formatting strings for thousands of events per seed would dominate a sweep's cost.
 */
export class Trace {
  readonly lines: string[] = [];

  constructor(private readonly clock: () => number) {}

  log(text: string): void {
    this.lines.push(`t=${this.clock()}ms ${text}`);
  }

  tail(n: number): string[] {
    return this.lines.slice(Math.max(0, this.lines.length - n));
  }
}

/** `n2→n3 app t4 p9@3 i10..12 c9`: who, what, and the fields that matter for that type. */
export function formatMessage(m: Message): string {
  return `n${m.from}→n${m.to} ${describeMessage(m)}`;
}

export function describeMessage(m: Message): string {
  const t = `t${m.term}`;
  const reject = m.reject ? ' REJECT' : '';
  const ctx = m.context !== undefined ? ` ctx=${m.context}` : '';
  switch (m.type) {
    case 'app': {
      const ents = m.entries ?? [];
      const range =
        ents.length === 0
          ? ' (no entries)'
          : ` i${ents[0].index}..${ents[ents.length - 1].index}` +
            (ents.length <= 3 ? ` [${ents.map(entryLabel).join(' ')}]` : '');
      return `app ${t} p${m.index ?? '?'}@${m.logTerm ?? '?'}${range} c${m.commit ?? '?'}`;
    }
    case 'appResp':
      return (
        `appResp ${t}${reject} i${m.index ?? '?'}` +
        (m.reject ? ` hint ${m.rejectHint ?? '?'}@${m.hintTerm ?? '?'}` : '')
      );
    case 'vote':
    case 'preVote':
      return `${m.type} ${t} last ${m.index ?? '?'}@${m.logTerm ?? '?'}${m.transfer ? ' transfer' : ''}`;
    case 'voteResp':
    case 'preVoteResp':
      return `${m.type} ${t} ${m.reject ? 'REJECT' : 'granted'}`;
    case 'heartbeat':
      return `hb ${t} c${m.commit ?? '?'}${ctx}`;
    case 'heartbeatResp':
      return `hbResp ${t}${ctx}`;
    case 'snap': {
      const s = m.snapshot;
      if (!s) return `snap ${t} (no chunk)`;
      return (
        `snap ${t} @${s.metadata.index}/t${s.metadata.term} ` +
        `bytes ${s.offset}..${s.offset + s.data.length}/${s.total}`
      );
    }
    case 'snapResp':
      return `snapResp ${t}${reject} i${m.index ?? '?'}`;
    case 'readIndex':
    case 'readIndexResp':
      return `${m.type} ${t} i${m.index ?? '?'}${ctx}`;
    default:
      return `${m.type} ${t}${m.index !== undefined ? ` i${m.index}` : ''}${reject}`;
  }
}

/** `5@t2:c17` — index, term and a short view of the data (conf changes show their kind). */
export function entryLabel(e: { index: number; term: number; type: string; data: string }): string {
  const data = e.type === 'conf' ? `conf:${e.data}` : e.data === '' ? 'noop' : e.data;
  return `${e.index}@t${e.term}:${data.length > 40 ? data.slice(0, 37) + '...' : data}`;
}
