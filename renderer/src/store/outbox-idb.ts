/** The outbox kept in IndexedDB: one object store of records, keyed by Idempotency-Key. */
import { openDB, type DBSchema } from 'idb';
import type { OutboxRecord, OutboxStorage } from './outbox.js';

interface OutboxDb extends DBSchema {
  outbox: { key: string; value: OutboxRecord };
}

export const OUTBOX_DB = 'raftboard-outbox';

export function idbOutbox(name = OUTBOX_DB): OutboxStorage {
  const db = openDB<OutboxDb>(name, 1, {
    upgrade(d) {
      d.createObjectStore('outbox', { keyPath: 'key' });
    },
  });
  return {
    all: async () => (await db).getAll('outbox'),
    put: async (r) => {
      await (await db).put('outbox', r);
    },
    remove: async (key) => {
      await (await db).delete('outbox', key);
    },
  };
}
