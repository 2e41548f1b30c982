/**
 * Stable, readable one-line descriptions of the core's data, in the spirit of etcd-io/raft's
 * DescribeMessage / DescribeReady. Terms and indexes are written term/index, as etcd does.
 */
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  ProgressStatus,
  Ready,
  Snapshot,
  SnapshotMetadata,
  Status,
} from '../../cluster/raft/index.js';

export function describeEntry(e: Entry): string {
  if (e.type === 'conf') {
    const cc = JSON.parse(e.data) as ConfChange;
    return `${e.term}/${e.index} conf ${cc.type} ${cc.nodeId}`;
  }
  return `${e.term}/${e.index} ${JSON.stringify(e.data)}`;
}

export function describeConf(c: ConfState): string {
  const ids = (xs: readonly number[]): string => [...xs].sort((a, b) => a - b).join(' ');
  return (
    `voters=(${ids(c.voters)})` + (c.learners.length > 0 ? ` learners=(${ids(c.learners)})` : '')
  );
}

export function describeMeta(m: SnapshotMetadata): string {
  return `${m.term}/${m.index} ${describeConf(m.conf)}`;
}

export function describeSnapshot(s: Snapshot): string {
  return `${describeMeta(s.metadata)} Data:${JSON.stringify(s.data)}`;
}

export function describeHardState(hs: HardState): string {
  return `Term:${hs.term} Vote:${hs.vote} Commit:${hs.commit}`;
}

/** `1->2 app Term:1 Log:1/2 Commit:2 Entries:[1/3 ""]`: only the fields the message has. */
export function describeMessage(m: Message): string {
  const parts = [`${m.from}->${m.to} ${m.type} Term:${m.term}`];
  if (m.logTerm !== undefined) parts.push(`Log:${m.logTerm}/${m.index ?? 0}`);
  else if (m.index !== undefined) parts.push(`Index:${m.index}`);
  if (m.commit !== undefined) parts.push(`Commit:${m.commit}`);
  if (m.reject) parts.push('Rejected');
  if (m.rejectHint !== undefined) parts.push(`Hint:${m.hintTerm ?? 0}/${m.rejectHint}`);
  if (m.snapshotIndex !== undefined) parts.push(`Snap:${m.snapshotTerm ?? 0}/${m.snapshotIndex}`);
  if (m.context !== undefined) parts.push(`Ctx:${JSON.stringify(m.context)}`);
  if (m.transfer) parts.push('Transfer');
  if (m.entries && m.entries.length > 0)
    parts.push(`Entries:[${m.entries.map(describeEntry).join(', ')}]`);
  if (m.snapshot) {
    const c = m.snapshot;
    parts.push(
      `Snapshot:[${describeMeta(c.metadata)} Chunk:${c.offset}+${c.data.length}/${c.total}]`,
    );
  }
  return parts.join(' ');
}

/** The Ready, one item a line; an empty part is left out. */
export function describeReady(rd: Ready): string[] {
  const out: string[] = [];
  if (rd.softState) out.push(`Lead:${rd.softState.leader} State:${rd.softState.role}`);
  if (rd.hardState) out.push(`HardState ${describeHardState(rd.hardState)}`);
  if (rd.snapshot) out.push(`Snapshot ${describeSnapshot(rd.snapshot)}`);
  const list = (title: string, items: readonly string[]): void => {
    if (items.length === 0) return;
    out.push(`${title}:`, ...items);
  };
  list('Entries', rd.entries.map(describeEntry));
  list('CommittedEntries', rd.committedEntries.map(describeEntry));
  list('Messages', rd.messages.map(describeMessage));
  list(
    'ReadStates',
    rd.readStates.map((r) => `Index:${r.index} Ctx:${JSON.stringify(r.context)}`),
  );
  return out;
}

export function describeProgress(p: ProgressStatus): string {
  const flags = [p.learner ? 'learner' : '', p.recentActive ? 'active' : '']
    .filter((f) => f !== '')
    .join(' ');
  return (
    `${p.id}: ${p.state} match=${p.match} next=${p.next}` +
    (p.inflight > 0 ? ` inflight=${p.inflight}` : '') +
    (flags ? ` ${flags}` : '')
  );
}

/** One line: who the node thinks it is. */
export function describeState(s: Status): string {
  const kind = s.isLearner ? 'learner' : s.conf.voters.includes(s.id) ? 'voter' : 'non-member';
  return `${s.role} (${kind}) Term:${s.term} Lead:${s.leader} Vote:${s.vote} Commit:${s.commit}`;
}

export function describeStatus(s: Status): string[] {
  const out = [
    `${s.id} ${describeState(s)}`,
    `Applied:${s.applied} Log:${s.firstIndex}..${s.lastIndex} Snapshot:${s.snapshotIndex} ${describeConf(s.conf)}`,
  ];
  if (s.leadTransferee !== 0) out.push(`LeadTransferee:${s.leadTransferee}`);
  for (const p of s.progress) out.push(describeProgress(p));
  return out;
}
