/**
 * Ids the node mints for new tasks and projects: UUIDv7 (RFC 9562), whose first 48 bits are the
 * time in milliseconds, so ids minted later sort later (the `uuid` package also keeps them
 * increasing within one millisecond).
 *
 * Why not random (v4) ids: the id is the primary key of every replica's tasks table, and InnoDB
 * stores rows in primary-key order. A random key makes each insert touch a random page of the
 * whole table, so once the table outgrows MariaDB's buffer pool every apply reads pages back in,
 * and the pool (the largest part of a managed MariaDB's memory) must hold the whole table to stay
 * fast. Time-ordered keys append at the right edge of the index: a few hot pages (measured in
 * cluster/node/PERFORMANCE.md, third pass). To clients an id stays an opaque UUID.
 */
import { v7 } from 'uuid';

export function newId(): string {
  return v7();
}
