/** A node's WAL files on disk. */
import fs from 'node:fs';
import path from 'node:path';

const SEGMENT_NAME = /^[0-9a-f]{16}-[0-9a-f]{16}\.wal$/;

/** WAL segment files anywhere under a node's data dir, oldest first (absolute paths). */
export function walSegments(dataDir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && SEGMENT_NAME.test(e.name)) found.push(p);
    }
  };
  walk(dataDir);
  return found.sort((a, b) => path.basename(a).localeCompare(path.basename(b)));
}
