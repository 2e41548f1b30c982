/**
 * Which cluster and node a database belongs to (review H4). The state machine skips every entry
 * at or below its stored applied index, so a database that another cluster applied to would
 * take this log's entries 1..A as done, serve the other cluster's tasks and diverge. The node
 * stamps its database with its cluster id and node id the first time, and refuses one stamped
 * by another cluster or node.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { ClusterIdentityError } from './errors.js';
import { RAFT_META_ID, RAFT_META_TABLE } from './models/index.js';

export interface NodeIdentity {
  /** Created once when the cluster is (supervisor: cluster.json; node: its raft dir). */
  readonly clusterId: string;
  readonly nodeId: number;
}

const LOCK_STAMP =
  'SELECT `cluster_id` AS `clusterId`, `node_id` AS `nodeId`, ' +
  '`applied_index` AS `appliedIndex`, `applied_term` AS `appliedTerm` ' +
  `FROM \`${RAFT_META_TABLE}\` WHERE \`id\` = ${RAFT_META_ID} FOR UPDATE`;
const WRITE_STAMP =
  `UPDATE \`${RAFT_META_TABLE}\` SET \`cluster_id\` = :clusterId, \`node_id\` = :nodeId ` +
  `WHERE \`id\` = ${RAFT_META_ID}`;

interface StampRow {
  readonly clusterId: string | null;
  readonly nodeId: number | null;
  readonly appliedIndex: number | string;
  readonly appliedTerm: number | string;
}

/** Checks the applied index/term (the node: against its log); throws to refuse. */
export type VerifyApplied = (applied: { index: number; term: number }) => void;

/**
 * Stamps an unstamped database with `identity` (logged: it happens once per database), or
 * checks the stamp. Throws ClusterIdentityError naming both identities and the database.
 * `verify` sees the applied index/term under the same lock, before any stamp is written, so a
 * database it refuses is left as it was.
 */
export async function stampOrCheckIdentity(
  sequelize: Sequelize,
  database: string,
  identity: NodeIdentity,
  log: (line: string) => void,
  verify: VerifyApplied = () => undefined,
): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const rows = await sequelize.query<StampRow>(LOCK_STAMP, {
      transaction,
      type: QueryTypes.SELECT,
    });
    const row = rows[0];
    if (row === undefined) {
      throw new ClusterIdentityError(`database ${database}: raft_meta has no row`);
    }
    const stamped = row.clusterId !== null && row.nodeId !== null;
    if (
      stamped &&
      (row.clusterId !== identity.clusterId || Number(row.nodeId) !== identity.nodeId)
    ) {
      throw new ClusterIdentityError(
        `database ${database} belongs to cluster ${row.clusterId} node ${Number(row.nodeId)}, ` +
          `but this is cluster ${identity.clusterId} node ${identity.nodeId}: refusing to ` +
          "apply to another node's state. Give this node its own database, or start the " +
          'cluster with --fresh, which empties the databases it is given (their tasks are lost)',
      );
    }
    verify({ index: Number(row.appliedIndex), term: Number(row.appliedTerm) });
    if (!stamped) {
      await sequelize.query(WRITE_STAMP, {
        transaction,
        replacements: { clusterId: identity.clusterId, nodeId: identity.nodeId },
      });
      const applied = Number(row.appliedIndex);
      const stamp = `cluster ${identity.clusterId}, node ${identity.nodeId}`;
      log(
        applied === 0
          ? `database ${database}: stamped with ${stamp}`
          : `database ${database} has no cluster id (made by an older version, applied index ` +
              `${applied}): adopted, stamped with ${stamp}`,
      );
    }
  });
}
