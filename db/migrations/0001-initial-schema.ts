/**
 * The initial schema: tasks, raft_meta (with its single row) and client_sessions, all
 * InnoDB, utf8mb4 / utf8mb4_bin.
 */
import { DataTypes, type QueryInterface } from 'sequelize';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../cluster/api/task.js';
import { CHARSET, COLLATION } from '../connection.js';

const TABLE_OPTIONS = { engine: 'InnoDB', charset: CHARSET, collate: COLLATION } as const;

export const name = '0001-initial-schema';

export async function up(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.createTable(
    'tasks',
    {
      id: { type: DataTypes.CHAR(36), primaryKey: true, allowNull: false },
      title: { type: DataTypes.STRING(255), allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: false },
      status: { type: DataTypes.ENUM(...TASK_STATUSES), allowNull: false },
      priority: { type: DataTypes.ENUM(...TASK_PRIORITIES), allowNull: false },
      due_date: { type: DataTypes.DATEONLY, allowNull: true },
      created_at: { type: DataTypes.CHAR(24), allowNull: false },
      updated_at: { type: DataTypes.CHAR(24), allowNull: false },
      version: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false },
      raft_index: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await queryInterface.addIndex('tasks', ['status'], { name: 'tasks_status' });
  await queryInterface.addIndex('tasks', ['due_date'], { name: 'tasks_due_date' });
  await queryInterface.addIndex('tasks', ['updated_at'], { name: 'tasks_updated_at' });
  // The list order (created_at, id).
  await queryInterface.addIndex('tasks', ['created_at', 'id'], { name: 'tasks_created_at' });

  await queryInterface.createTable(
    'raft_meta',
    {
      id: { type: DataTypes.TINYINT.UNSIGNED, primaryKey: true, allowNull: false },
      applied_index: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
      applied_term: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await queryInterface.bulkInsert('raft_meta', [{ id: 1, applied_index: 0, applied_term: 0 }]);

  await queryInterface.createTable(
    'client_sessions',
    {
      key: { type: DataTypes.STRING(128), primaryKey: true, allowNull: false },
      raft_index: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
      result: { type: DataTypes.TEXT('medium'), allowNull: false },
      created_at: { type: DataTypes.CHAR(24), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await queryInterface.addIndex('client_sessions', ['raft_index'], {
    name: 'client_sessions_raft_index',
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.dropTable('client_sessions');
  await queryInterface.dropTable('raft_meta');
  await queryInterface.dropTable('tasks');
}
