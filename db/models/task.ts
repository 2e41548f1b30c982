/**
 * `tasks`: one row per task (docs/contract.md §5). Timestamps are CHAR(24) canonical ISO-8601
 * strings (`2025-01-02T03:04:05.678Z`), stored and returned byte-for-byte: no driver Date
 * parsing, no session time zone, no DB clock anywhere.
 */
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import {
  TASK_PRIORITIES,
  TASK_STATUSES,
  type TaskPriority,
  type TaskStatus,
} from '../../cluster/api/task.js';

export interface TaskAttributes {
  id: string;
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  dueDate: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  raftIndex: number;
}

export type TaskModel = ModelStatic<Model<TaskAttributes, TaskAttributes>>;

export const TASKS_TABLE = 'tasks';

export function defineTask(sequelize: Sequelize): TaskModel {
  return sequelize.define<Model<TaskAttributes, TaskAttributes>>(
    'Task',
    {
      id: { type: DataTypes.CHAR(36), primaryKey: true, allowNull: false },
      title: { type: DataTypes.STRING(255), allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: false },
      status: { type: DataTypes.ENUM(...TASK_STATUSES), allowNull: false },
      priority: { type: DataTypes.ENUM(...TASK_PRIORITIES), allowNull: false },
      dueDate: { type: DataTypes.DATEONLY, allowNull: true, field: 'due_date' },
      createdAt: { type: DataTypes.CHAR(24), allowNull: false, field: 'created_at' },
      updatedAt: { type: DataTypes.CHAR(24), allowNull: false, field: 'updated_at' },
      version: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false },
      raftIndex: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false, field: 'raft_index' },
    },
    { tableName: TASKS_TABLE, timestamps: false },
  );
}
