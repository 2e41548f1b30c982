/**
 * Idempotency-Keys bound to their request and kept by time (docs/contract.md §4):
 * - `client_sessions.fingerprint`: the request's fingerprint (sha256 hex), '' for sessions
 *   stored before it existed (they match any request until they expire);
 * - an index on `client_sessions.created_at`, for the eviction by entry time;
 * - `raft_meta.session_clock`: the newest entry time applied so far ('' before any), the
 *   clock sessions expire by. Kept in the database, not in memory, so it is part of the
 *   replicated state (and of snapshots) and never goes back when a new leader's clock does.
 * Touches only columns of 0001, so it runs the same whatever other migrations come before it.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export const name = '0003-idempotency-fingerprint';

export async function up(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.addColumn('client_sessions', 'fingerprint', {
    type: DataTypes.CHAR(64),
    allowNull: false,
    defaultValue: '',
  });
  await queryInterface.addIndex('client_sessions', ['created_at'], {
    name: 'client_sessions_created_at',
  });
  await queryInterface.addColumn('raft_meta', 'session_clock', {
    type: DataTypes.CHAR(24),
    allowNull: false,
    defaultValue: '',
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.removeColumn('raft_meta', 'session_clock');
  await queryInterface.removeIndex('client_sessions', 'client_sessions_created_at');
  await queryInterface.removeColumn('client_sessions', 'fingerprint');
}
