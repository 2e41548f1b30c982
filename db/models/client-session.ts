/**
 * `client_sessions`: the first result of every write that carried an Idempotency-Key, so a
 * retry is answered with it and applied once (Raft thesis §6.3). `result` is the JSON text of
 * the `CommandResult`, kept verbatim; `fingerprint` binds the key to the request that stored it.
 */
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface ClientSessionAttributes {
  key: string;
  raftIndex: number;
  result: string;
  /** When the session was stored, by the entries' clock (see statemachine.ts). */
  createdAt: string;
  /** The request's fingerprint (sha256 hex); '' when the command carried none. */
  fingerprint: string;
}

export type ClientSessionModel = ModelStatic<
  Model<ClientSessionAttributes, ClientSessionAttributes>
>;

export const CLIENT_SESSIONS_TABLE = 'client_sessions';
export const SESSION_KEY_MAX = 128;

export function defineClientSession(sequelize: Sequelize): ClientSessionModel {
  return sequelize.define<Model<ClientSessionAttributes, ClientSessionAttributes>>(
    'ClientSession',
    {
      key: { type: DataTypes.STRING(SESSION_KEY_MAX), primaryKey: true, allowNull: false },
      raftIndex: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false, field: 'raft_index' },
      result: { type: DataTypes.TEXT('medium'), allowNull: false },
      createdAt: { type: DataTypes.CHAR(24), allowNull: false, field: 'created_at' },
      fingerprint: { type: DataTypes.CHAR(64), allowNull: false },
    },
    { tableName: CLIENT_SESSIONS_TABLE, timestamps: false },
  );
}
