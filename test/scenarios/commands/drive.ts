/** Inputs to one node: ticks, campaigns, proposals and requests. */
import { ProposalDropped, type ConfChangeType, type RawNode } from '../../../cluster/raft/index.js';
import type { Args } from '../args.js';
import type { Env } from '../env.js';
import type { Handler } from './types.js';

/** Runs a request; a refusal (ProposalDropped) is part of the output, anything else throws. */
function request(env: Env, id: number, fn: (raw: RawNode) => void): void {
  try {
    env.act(id, fn);
  } catch (e) {
    if (!(e instanceof ProposalDropped)) throw e;
    env.print(`ERROR ${e.message}`, 'always');
  }
}

function oneId(a: Args): number {
  const [id, ...rest] = a.ids();
  if (id === undefined || rest.length > 0) return a.fail('expects one node id');
  return id;
}

function tickN(env: Env, id: number, n: number): void {
  for (let i = 0; i < n; i++) env.act(id, (raw) => raw.tick());
}

/** `tick ID [N]`: N (default 1) clock ticks on one node. */
const tick: Handler = (env, a) => {
  const [id, n = 1] = a.ids();
  if (id === undefined) return a.fail('usage: tick ID [N]');
  tickN(env, id, n);
};

/** `tick-all [N]`: N rounds of one tick on every live node, in id order. */
const tickAll: Handler = (env, a) => {
  const [n = 1] = a.ids();
  for (let i = 0; i < n; i++) for (const id of env.ids()) if (env.node(id).raw) tickN(env, id, 1);
};

/**
 * `tick-election ID`: ticks until the node's (randomized) election timeout fires: a follower
 * campaigns, a leader runs its check-quorum.
 */
const tickElection: Handler = (env, a) => {
  const id = oneId(a);
  const s = env.raw(id).status();
  tickN(env, id, Math.max(1, s.electionTimeout - s.electionElapsed));
};

/** `tick-heartbeat ID`: heartbeatTick ticks (a leader broadcasts heartbeats). */
const tickHeartbeat: Handler = (env, a) => {
  const id = oneId(a);
  tickN(env, id, env.node(id).config.heartbeatTick);
};

/** `campaign ID`: the election timeout fires now. */
const campaign: Handler = (env, a) => {
  env.act(oneId(a), (raw) => raw.campaign());
};

/**
 * `propose ID|leader DATA...`: one command, or several as one batch; prints where it landed.
 * `leader` is the live leader of the highest term.
 */
const propose: Handler = (env, a) => {
  const [idArg, ...data] = a.positional().flatMap((x) => x.vals);
  const id = idArg === 'leader' ? env.leader() : a.toInt(idArg ?? '');
  if (data.length === 0) return a.fail('usage: propose ID DATA...');
  if (data.some((d) => d.includes(','))) return a.fail('commands may not contain a comma');
  request(env, id, (raw) => {
    const at = data.length === 1 ? raw.propose(data[0]) : raw.proposeBatch(data);
    env.print(`${id}: proposed at ${at.term}/${at.index}`);
  });
};

const CONF_TYPES: Record<string, ConfChangeType> = {
  'add-learner': 'addLearner',
  'add-voter': 'promote',
  promote: 'promote',
  remove: 'remove',
};

/** `propose-conf-change ID add-learner|add-voter|remove NODE` (add-voter promotes a learner). */
const proposeConfChange: Handler = (env, a) => {
  const [idArg, kind, node] = a.positional().flatMap((x) => x.vals);
  const type = CONF_TYPES[kind ?? ''];
  if (!type || node === undefined)
    return a.fail('usage: propose-conf-change ID add-learner|add-voter|remove NODE');
  const id = a.toInt(idArg);
  request(env, id, (raw) => {
    const at = raw.proposeConfChange({ type, nodeId: a.toInt(node) });
    env.print(`${id}: proposed at ${at.term}/${at.index}`);
  });
};

/** `transfer-leadership from=ID to=ID` */
const transferLeadership: Handler = (env, a) => {
  const from = a.int('from');
  const to = a.int('to');
  if (from === undefined || to === undefined)
    return a.fail('usage: transfer-leadership from=ID to=ID');
  env.act(from, (raw) => raw.transferLeadership(to));
};

/** `read-index ID CTX` */
const readIndex: Handler = (env, a) => {
  const [idArg, ctx] = a.positional().flatMap((x) => x.vals);
  if (ctx === undefined) return a.fail('usage: read-index ID CTX');
  env.act(a.toInt(idArg), (raw) => raw.readIndex(ctx));
};

/** `report-unreachable ID PEER`: ID's transport could not reach PEER. */
const reportUnreachable: Handler = (env, a) => {
  const [id, peer] = a.ids();
  if (id === undefined || peer === undefined) return a.fail('usage: report-unreachable ID PEER');
  env.act(id, (raw) => raw.reportUnreachable(peer));
};

/**
 * `run N`: N ticks of time on a reliable network (except partitions and crashes): each round
 * ticks every live node once, then stabilizes. Prints only the role changes, `[tick] ...`.
 */
const run: Handler = (env, a) => {
  const [n] = a.ids();
  if (n === undefined) return a.fail('usage: run N');
  for (let t = 1; t <= n; t++) {
    env.lineFilter = (l) => (l.includes(' became ') ? `[${t}] ${l.trim()}` : undefined);
    try {
      for (const id of env.ids()) if (env.node(id).raw) tickN(env, id, 1);
      env.stabilize([]);
    } finally {
      env.lineFilter = undefined;
    }
  }
};

export const driveCommands: Record<string, Handler> = {
  tick,
  'tick-all': tickAll,
  run,
  'tick-election': tickElection,
  'tick-heartbeat': tickHeartbeat,
  campaign,
  propose,
  'propose-conf-change': proposeConfChange,
  'transfer-leadership': transferLeadership,
  'read-index': readIndex,
  'report-unreachable': reportUnreachable,
};
