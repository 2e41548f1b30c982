/** What db/migrate.ts and db/migrator.ts share (kept apart so neither loads the other early). */
import type { Migration } from './migrations/index.js';

/** Where umzug's SequelizeStorage records the migrations that ran (column `name`). */
export const MIGRATIONS_TABLE = 'schema_migrations';

export interface MigrateOptions {
  readonly log?: ((line: string) => void) | undefined;
  /** Defaults to every migration in ./migrations. */
  readonly migrations?: readonly Migration[];
}
