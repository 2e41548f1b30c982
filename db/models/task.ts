/**
 * `tasks`: one row per task (docs/contract.md §5). The state machine reads and writes it with the
 * statements in ../sql/statements.ts; this model documents the columns (migrations 0001, 0004). Timestamps are CHAR(24) canonical ISO-8601
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
  dueTime: string | null;
  projectId: string | null;
  /** The task's tags in order and spelling, JSON text (task_tags holds them for filtering). */
  tags: string;
  parentId: string | null;
  recurrenceRule: string | null;
  recurrenceFrom: 'due' | 'completion' | null;
  position: number;
  completedAt: string | null;
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
      dueTime: { type: DataTypes.CHAR(5), allowNull: true, field: 'due_time' },
      projectId: { type: DataTypes.CHAR(36), allowNull: true, field: 'project_id' },
      tags: { type: DataTypes.TEXT, allowNull: false },
      parentId: { type: DataTypes.CHAR(36), allowNull: true, field: 'parent_id' },
      recurrenceRule: { type: DataTypes.STRING(500), allowNull: true, field: 'recurrence_rule' },
      recurrenceFrom: {
        type: DataTypes.ENUM('due', 'completion'),
        allowNull: true,
        field: 'recurrence_from',
      },
      position: { type: DataTypes.DOUBLE, allowNull: false },
      completedAt: { type: DataTypes.CHAR(24), allowNull: true, field: 'completed_at' },
      createdAt: { type: DataTypes.CHAR(24), allowNull: false, field: 'created_at' },
      updatedAt: { type: DataTypes.CHAR(24), allowNull: false, field: 'updated_at' },
      version: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false },
      raftIndex: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false, field: 'raft_index' },
    },
    { tableName: TASKS_TABLE, timestamps: false },
  );
}
