/**
 * What the start-up view shows, folded from the supervisor's events: a row per node (its MySQL
 * step, its process step, its role once it reports one) and the progress lines in order. The
 * supervisor says `n2 mysql: …` and `n2: …`; those go to node 2's row, everything else is
 * cluster-wide. Pure, so it is unit-tested; the page (page.ts) only draws it.
 */
import type { ClusterEvent } from '../../cluster/api/control.js';

export interface NodeRow {
  readonly id: number;
  /** The latest MySQL step, e.g. `initialising MariaDB data dir … (once)`, `ready (1.2s)`. */
  readonly mysqlStep: string;
  /** MySQL server state: starting, running, … (from `mysql` events). */
  readonly mysqlState: string;
  /** The latest node step, e.g. `starting node process`, `listening on …`. */
  readonly nodeStep: string;
  /** Process status: starting, running, crashed, … */
  readonly process: string;
  /** Raft role once the node reports: leader, follower, candidate, learner. */
  readonly role: string;
}

export interface StartupModel {
  readonly nodes: readonly NodeRow[];
  /** Progress and error lines, oldest first (at most MAX_LINES). */
  readonly lines: readonly string[];
  /** The highest event number folded in, so a replayed event is not applied twice. */
  readonly seq: number;
}

export const MAX_LINES = 200;

export const EMPTY_MODEL: StartupModel = { nodes: [], lines: [], seq: 0 };

const NODE_LINE = /^n(\d+)( mysql)?: (.*)$/s;

function withRow(m: StartupModel, id: number, change: Partial<NodeRow>): NodeRow[] {
  const rows = [...m.nodes];
  const i = rows.findIndex((r) => r.id === id);
  const base: NodeRow =
    i >= 0 ? rows[i] : { id, mysqlStep: '', mysqlState: '', nodeStep: '', process: '', role: '' };
  const next = { ...base, ...change };
  if (i >= 0) rows[i] = next;
  else rows.push(next);
  return rows.sort((a, b) => a.id - b.id);
}

function addLine(lines: readonly string[], line: string): string[] {
  const out = [...lines, line];
  return out.length > MAX_LINES ? out.slice(out.length - MAX_LINES) : out;
}

export function foldEvent(m: StartupModel, e: ClusterEvent): StartupModel {
  // Status snapshots of a replay carry seq 0 and are always fresh.
  if (e.seq !== 0 && e.seq <= m.seq) return m;
  const seq = Math.max(m.seq, e.seq);
  switch (e.type) {
    case 'progress': {
      const lines = addLine(m.lines, e.message);
      const hit = NODE_LINE.exec(e.message);
      if (hit === null) return { ...m, lines, seq };
      const id = Number(hit[1]);
      const step = hit[3];
      const change: Partial<NodeRow> =
        hit[2] === undefined ? { nodeStep: step } : { mysqlStep: step };
      return { nodes: withRow(m, id, change), lines, seq };
    }
    case 'mysql':
      return { ...m, nodes: withRow(m, e.nodeId, { mysqlState: e.server }), seq };
    case 'process':
      return { ...m, nodes: withRow(m, e.nodeId, { process: e.status }), seq };
    case 'error':
      return { ...m, lines: addLine(m.lines, `error: ${e.message}`), seq };
    case 'status': {
      let nodes: readonly NodeRow[] = m.nodes;
      for (const n of e.cluster.nodes) {
        nodes = withRow({ ...m, nodes }, n.id, {
          process: n.status,
          mysqlState: n.mysql.server,
          role: n.reportedAt === null ? '' : n.role,
        });
      }
      return { ...m, nodes, seq };
    }
    default:
      return { ...m, seq };
  }
}
