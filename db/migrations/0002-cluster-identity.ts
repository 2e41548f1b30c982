/**
 * The cluster and node a database belongs to, in raft_meta (review H4): NULL until the node
 * first opens it (a database of the older version gets them then, once); afterwards a node of
 * another cluster, or another node, is refused.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export const name = '0002-cluster-identity';

export async function up(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.addColumn('raft_meta', 'cluster_id', {
    type: DataTypes.STRING(64),
    allowNull: true,
  });
  await queryInterface.addColumn('raft_meta', 'node_id', {
    type: DataTypes.INTEGER.UNSIGNED,
    allowNull: true,
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.removeColumn('raft_meta', 'node_id');
  await queryInterface.removeColumn('raft_meta', 'cluster_id');
}
