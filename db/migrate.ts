/**
 * Runs the umzug migrations in ./migrations against a Sequelize instance. The executed ones are
 * recorded in `schema_migrations` (umzug's SequelizeStorage), so running again is a no-op.
 */
import type { QueryInterface, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug, type RunnableMigration } from 'umzug';
import { toMySqlError } from './errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export const MIGRATIONS_TABLE = 'schema_migrations';

export interface MigrateOptions {
  readonly log?: ((line: string) => void) | undefined;
  /** Defaults to every migration in ./migrations. */
  readonly migrations?: readonly Migration[];
}

export function createMigrator(
  sequelize: Sequelize,
  options: MigrateOptions = {},
): Umzug<QueryInterface> {
  const log = options.log;
  const migrations = (options.migrations ?? MIGRATIONS).map(
    (migration): RunnableMigration<QueryInterface> => ({
      name: migration.name,
      up: ({ context }) => migration.up(context),
      down: ({ context }) => migration.down(context),
    }),
  );
  return new Umzug<QueryInterface>({
    migrations,
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: MIGRATIONS_TABLE }),
    logger:
      log === undefined
        ? undefined
        : {
            info: (event) => log(`migrations: ${JSON.stringify(event)}`),
            warn: (event) => log(`migrations warning: ${JSON.stringify(event)}`),
            error: (event) => log(`migrations error: ${JSON.stringify(event)}`),
            debug: () => undefined,
          },
  });
}

/** Applies every pending migration; returns the names it ran (empty when up to date). */
export async function migrate(
  sequelize: Sequelize,
  options: MigrateOptions = {},
): Promise<string[]> {
  try {
    const done = await createMigrator(sequelize, options).up();
    return done.map((migration) => migration.name);
  } catch (error) {
    // Umzug wraps the failure of a migration; surface the driver's error underneath.
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    throw toMySqlError(cause, 'running migrations');
  }
}
