/**
 * The state machine's Sequelize models, defined per Sequelize instance (several state machines
 * may live in one process). Attributes are explicit; the schema itself is created only by the
 * migrations in ../migrations — never by `sync()`.
 */
import type { Sequelize } from 'sequelize';
import { defineClientSession, type ClientSessionModel } from './client-session.js';
import { defineRaftMeta, type RaftMetaModel } from './raft-meta.js';
import { defineTask, type TaskModel } from './task.js';

export * from './client-session.js';
export * from './raft-meta.js';
export * from './task.js';

export interface Models {
  readonly Task: TaskModel;
  readonly RaftMeta: RaftMetaModel;
  readonly ClientSession: ClientSessionModel;
}

export function defineModels(sequelize: Sequelize): Models {
  return {
    Task: defineTask(sequelize),
    RaftMeta: defineRaftMeta(sequelize),
    ClientSession: defineClientSession(sequelize),
  };
}
