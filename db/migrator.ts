/**
 * The umzug migrator over ./migrations, recording what ran in `schema_migrations` (umzug's
 * SequelizeStorage). Loaded by migrate.ts only when a migration is pending.
 */
import type { QueryInterface, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug, type RunnableMigration } from 'umzug';
import { MIGRATIONS_TABLE, type MigrateOptions } from './migrate-options.js';
import { MIGRATIONS } from './migrations/index.js';

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
