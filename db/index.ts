/**
 * The state-machine store of a Raft node: `TaskStateMachine` on the node's own MySQL, the
 * managed MariaDB, migrations and typed errors. See README.md in this folder.
 */
export * from './connection.js';
export * from './errors.js';
export * from './identity.js';
export * from './session-mode.js';
export { migrate, MIGRATIONS_TABLE, type MigrateOptions } from './migrate.js';
export { createMigrator } from './migrator.js';
export * from './provision/mariadb.js';
export * from './statemachine.js';
