/** The network: processing Readys, delivering, dropping and partitioning messages. */
import type { Message, MessageType } from '../../../cluster/raft/index.js';
import type { Args } from '../args.js';
import type { Handler } from './types.js';
import { NETWORK_MESSAGE_TYPES } from '../../../cluster/node/transport/validate.js';

/** Every message type a node may receive: what travels between nodes, plus proposals. */
const TYPES: readonly MessageType[] = [...NETWORK_MESSAGE_TYPES, 'prop'];

/** `type=app` (the core's name) or `type=MsgApp` (etcd's). */
function typeFilter(a: Args): (m: Message) => boolean {
  const t = a.str('type');
  if (t === undefined) return () => true;
  const name = t.startsWith('Msg') ? t[3].toLowerCase() + t.slice(4) : t;
  const type = TYPES.find((x) => x === name);
  if (!type) return a.fail(`unknown message type ${t}`);
  return (m) => m.type === type;
}

/**
 * `deliver-msgs [ID...] [type=T] [drop=true]`: delivers (or drops) the queued messages to the
 * given nodes (all if none), in order.
 */
const deliverMsgs: Handler = (env, a) => {
  const ids = a.ids();
  const ofType = typeFilter(a);
  const drop = a.bool('drop') ?? false;
  let n = 0;
  for (const id of ids.length > 0 ? ids : env.ids())
    n += env.deliver((m) => m.to === id && ofType(m), drop);
  if (n === 0) env.print('no messages');
};

/** `drop from=ID to=ID [type=T]` or `drop ID`: throws away queued messages (to ID). */
const drop: Handler = (env, a) => {
  const from = a.int('from');
  const to = a.int('to') ?? a.ids()[0];
  const ofType = typeFilter(a);
  if (from === undefined && to === undefined) return a.fail('usage: drop from=ID to=ID | drop ID');
  const n = env.deliver(
    (m) =>
      (from === undefined || m.from === from) && (to === undefined || m.to === to) && ofType(m),
    true,
  );
  if (n === 0) env.print('no messages');
};

/**
 * `partition (1,2) (3)`: from now on messages between groups are dropped when delivered. Nodes
 * not listed form one more group together, so `partition (3)` isolates node 3.
 */
const partition: Handler = (env, a) => {
  env.groups = new Map();
  a.positional().forEach((g, i) => {
    for (const v of g.vals) env.groups.set(a.toInt(v), i + 1);
  });
};

/** `heal`: the partition is over (messages dropped meanwhile stay lost). */
const heal: Handler = (env) => {
  env.groups = new Map();
};

/** `process-ready [ID...]`: handles one Ready on each node (all if none) that has one. */
const processReady: Handler = (env, a) => {
  const ids = a.ids();
  for (const id of ids.length > 0 ? ids : env.ids()) if (env.hasReady(id)) env.handleReady(id);
};

/** `stabilize [ID...]`: process-ready + deliver-msgs among the nodes until nothing is left. */
const stabilize: Handler = (env, a) => {
  env.stabilize(a.ids());
};

export const networkCommands: Record<string, Handler> = {
  'deliver-msgs': deliverMsgs,
  drop,
  partition,
  heal,
  'process-ready': processReady,
  stabilize,
};
