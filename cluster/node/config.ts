/**
 * The node config file (`node main.js --config node.json`): everything a node needs to run on its
 * own, so the same program joins a cluster from another host. One zod schema, one type.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/**
 * The Raft timers of a node whose config names none, and of every node the supervisor starts
 * (cluster/supervisor/node-config.ts reads them from here). Why these values: README,
 * "Failover, cold start and memory".
 */
/** Applied entries between two snapshots, and entries kept behind each (see the schema). */
export const DEFAULT_SNAPSHOT_ENTRIES = 10_000;
export const DEFAULT_CATCH_UP_ENTRIES = 10_000;

/** When MySQL counts as stalled (see the schema; why: docs/architecture.md §3). The statement
 * time limit's default is db/query-timeout.ts's QUERY_TIMEOUT_MS. */
export const DEFAULT_STALLED_AFTER_MS = 3_000;

export const DEFAULT_TIMERS = { tickMs: 25, electionTicks: 10, heartbeatTicks: 2 } as const;

const port = z.number().int().min(0).max(65_535);
const host = z.string().min(1);

export const peerSchema = z.strictObject({
  id: z.number().int().min(1).max(1_000_000),
  /** Where the node's Raft transport listens (peers dial it). */
  host: host.default('127.0.0.1'),
  raftPort: port,
  /** Where the node's client HTTP API listens (followers forward writes there). */
  clientPort: port,
});

export const nodeConfigSchema = z
  .strictObject({
    id: z.number().int().min(1).max(1_000_000),
    /**
     * The cluster's id, made once when the cluster is created (the supervisor keeps it in
     * cluster.json). Kept in the raft dir at the first start and stamped into the database;
     * a data dir or database of another cluster is refused (docs/contract.md §6). Optional for
     * configs of the older version: the node then adopts one once.
     */
    clusterId: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, 'letters, digits and - only (at most 64)')
      .optional(),
    /** Every member of the initial cluster, this node included. */
    peers: z.array(peerSchema).min(1).max(9),
    /** WAL, hard state and snapshots (relative paths are relative to the config file). */
    dataDir: z.string().min(1),
    mysql: z.strictObject({
      /**
       * Server URL, e.g. `mysql://root@127.0.0.1:3306/`, or for a managed server its socket and
       * password file: `mysql://root@localhost/?socket=/abs/s.sock&password-file=/abs/root-password`
       * (db/connection.ts; docs/contract.md §6).
       */
      url: z.string().min(1),
      /** This node's own database (created if missing). */
      database: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'letters, digits and _ only'),
      /**
       * Time limit of each MySQL statement; past it the connection is dropped and MySQL is
       * `down` until it answers again. A frozen server never answers nor errors.
       * Default QUERY_TIMEOUT_MS in db/query-timeout.ts (optional: older configs still parse).
       */
      queryTimeoutMs: z.number().int().min(100).max(600_000).optional(),
      /**
       * An apply (or the idle health ping) running longer than this makes mysql.status
       * `stalled`: reads answer 503 mysql_down and a leader hands leadership to a healthy voter.
       * Default DEFAULT_STALLED_AFTER_MS.
       */
      stalledAfterMs: z.number().int().min(100).max(600_000).optional(),
    }),
    /** 32 random bytes shared by every node (created with mode 0600 if missing). */
    secretFile: z.string().min(1),
    /** The bearer token clients must send; read from this file (trimmed). */
    tokenFile: z.string().min(1),
    /** The interface both servers listen on. Keep 127.0.0.1 unless peers are on other hosts. */
    listenHost: host.default('127.0.0.1'),
    timers: z
      .strictObject({
        /** One Raft tick. Election timeout = electionTicks × tickMs (randomised up to 2×). */
        tickMs: z.number().int().min(1).max(10_000).default(DEFAULT_TIMERS.tickMs),
        electionTicks: z.number().int().min(2).max(1_000).default(DEFAULT_TIMERS.electionTicks),
        heartbeatTicks: z.number().int().min(1).max(500).default(DEFAULT_TIMERS.heartbeatTicks),
      })
      .refine((t) => t.heartbeatTicks < t.electionTicks, {
        message: 'heartbeatTicks must be less than electionTicks',
      })
      .default({ ...DEFAULT_TIMERS }),
    /**
     * The cluster's original voters (its membership at index 0). Default: every peer. A node
     * joining an existing cluster sets this to that cluster's original voters, which do not
     * include itself: it then never campaigns, and waits to be added as a learner.
     */
    bootstrapVoters: z.array(z.number().int().min(1)).min(1).max(9).optional(),
    /** Take a snapshot (and drop the WAL before it) every this many applied entries. */
    snapshotEntries: z.number().int().min(2).max(10_000_000).default(DEFAULT_SNAPSHOT_ENTRIES),
    /**
     * Entries kept in memory behind each new snapshot, so a follower that was away briefly
     * catches up from the log instead of a whole-database snapshot (etcd's
     * SnapshotCatchUpEntries). 0 compacts right up to the snapshot.
     */
    catchUpEntries: z.number().int().min(0).max(1_000_000).default(DEFAULT_CATCH_UP_ENTRIES),
    /** How long a write or linearizable read waits for a quorum before 503 no_leader. */
    requestTimeoutMs: z.number().int().min(100).max(60_000).default(2_000),
    /** Log level for stderr lines. */
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .superRefine((c, ctx) => {
    const ids = new Set<number>();
    for (const p of c.peers) {
      if (ids.has(p.id)) ctx.addIssue({ code: 'custom', message: `peer id ${p.id} appears twice` });
      ids.add(p.id);
    }
    if (!ids.has(c.id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['peers'],
        message: `must include this node (id ${c.id})`,
      });
    }
  });

export type NodeConfig = z.infer<typeof nodeConfigSchema>;
export type PeerConfig = z.infer<typeof peerSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses a config object; relative paths are resolved against `baseDir`. */
export function parseNodeConfig(raw: unknown, baseDir = process.cwd()): NodeConfig {
  const parsed = nodeConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${i.path.length > 0 ? i.path.join('.') : '(config)'}: ${i.message}`,
    );
    throw new ConfigError(`invalid node config:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    ...c,
    dataDir: abs(c.dataDir),
    secretFile: abs(c.secretFile),
    tokenFile: abs(c.tokenFile),
  };
}

/** Reads and parses a config file, with errors that name the file. */
export function loadNodeConfig(path: string): NodeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config ${path} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parseNodeConfig(raw, dirname(resolve(path)));
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${path}: ${e.message}`);
    throw e;
  }
}

/** This node's own entry in `peers`. */
export function selfOf(config: NodeConfig): PeerConfig {
  return config.peers.find((p) => p.id === config.id)!;
}
