/**
 * `raft_meta`: exactly one row (id = 1) holding the index and term of the last applied log
 * entry. It is advanced in the same transaction as the entries it covers. `clusterId`/`nodeId`
 * name the cluster and node that apply to this database (NULL until first stamped).
 */
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface RaftMetaAttributes {
  id: number;
  appliedIndex: number;
  appliedTerm: number;
  /** The newest entry time applied ('' before any): the clock client sessions expire by. */
  sessionClock: string;
  clusterId: string | null;
  nodeId: number | null;
}

export type RaftMetaModel = ModelStatic<Model<RaftMetaAttributes, RaftMetaAttributes>>;

export const RAFT_META_TABLE = 'raft_meta';
/** The primary key of the single row. */
export const RAFT_META_ID = 1;

export function defineRaftMeta(sequelize: Sequelize): RaftMetaModel {
  return sequelize.define<Model<RaftMetaAttributes, RaftMetaAttributes>>(
    'RaftMeta',
    {
      id: { type: DataTypes.TINYINT.UNSIGNED, primaryKey: true, allowNull: false },
      appliedIndex: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false, field: 'applied_index' },
      appliedTerm: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false, field: 'applied_term' },
      sessionClock: { type: DataTypes.CHAR(24), allowNull: false, field: 'session_clock' },
      clusterId: { type: DataTypes.STRING(64), allowNull: true, field: 'cluster_id' },
      nodeId: { type: DataTypes.INTEGER.UNSIGNED, allowNull: true, field: 'node_id' },
    },
    { tableName: RAFT_META_TABLE, timestamps: false },
  );
}
