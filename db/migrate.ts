/**
 * Runs the umzug migrations in ./migrations against a Sequelize instance. The executed ones are
 * recorded in `schema_migrations` (umzug's SequelizeStorage), so running again is a no-op.
 *
 * umzug is loaded only when a migration is pending: on a node's every start the schema is
 * already current, and importing umzug cost about 0.5 s and several MB of a node's resident
 * memory for nothing (issue 15). One SELECT of the recorded names decides it.
 */
import type { Sequelize } from 'sequelize';
import { toMySqlError } from './errors.js';
import { MIGRATIONS_TABLE, type MigrateOptions } from './migrate-options.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export { MIGRATIONS_TABLE, type MigrateOptions } from './migrate-options.js';

/**
 * True when `schema_migrations` records every one of `migrations` (by name, as umzug's
 * SequelizeStorage writes them). False when one is missing or the table is not there yet, and
 * also on any other error: umzug then runs and reports it in its own words.
 */
async function upToDate(sequelize: Sequelize, migrations: readonly Migration[]): Promise<boolean> {
  try {
    const [rows] = await sequelize.query(`SELECT name FROM \`${MIGRATIONS_TABLE}\``);
    const done = new Set((rows as { name: unknown }[]).map((r) => r.name));
    return migrations.every((m) => done.has(m.name));
  } catch {
    return false;
  }
}

/** Applies every pending migration; returns the names it ran (empty when up to date). */
export async function migrate(
  sequelize: Sequelize,
  options: MigrateOptions = {},
): Promise<string[]> {
  if (await upToDate(sequelize, options.migrations ?? MIGRATIONS)) return [];
  try {
    // A module of its own, imported here: a dynamic import of the CommonJS umzug itself would
    // lose its named exports in the node bundle (scripts/bundle-node.mjs).
    const { createMigrator } = await import('./migrator.js');
    const done = await createMigrator(sequelize, options).up();
    return done.map((migration) => migration.name);
  } catch (error) {
    // Umzug wraps the failure of a migration; surface the driver's error underneath.
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    throw toMySqlError(cause, 'running migrations');
  }
}
