/** The nodes' MySQL side: which server each node uses, and dropping their databases. */
import { dropDatabase } from '../../../db/connection.js';
import type { NodeConfigFile } from './config.js';
import { within } from './poll.js';

/** Node `id`'s server: the one URL, or its own from a list (index 0 is node 1). */
export function mysqlUrlFor(urls: string | readonly string[], id: number): string {
  if (typeof urls === 'string') return urls;
  const u = urls[id - 1];
  if (u === undefined) throw new Error(`no MySQL URL for node ${id} (${urls.length} given)`);
  return u;
}

/** Drops every node's database, best effort: errors are ignored, each gets 5 s. */
export async function dropNodeDatabases(configs: Iterable<NodeConfigFile>): Promise<void> {
  await Promise.all(
    [...configs].map((c) =>
      within(
        dropDatabase(c.mysql.url, c.mysql.database).catch(() => undefined),
        5_000,
      ),
    ),
  );
}
