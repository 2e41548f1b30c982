/** Server options for the MySQL servers Raftboard manages (managed and docker modes). */

/**
 * A managed MariaDB holds a node's state machine, not its durable record: every entry is in the
 * node's WAL (fdatasync'ed before it counts) until a snapshot file (fsync'ed) covers it. So
 * InnoDB may write its redo log at each commit and flush it to disk once a second (etcd batches
 * its bbolt commits the same way). A MySQL process crash loses nothing (the log is in the OS
 * cache); a machine crash can lose its last second, which the node replays on restart: the
 * applier re-applies from MySQL's own applied index, or restores the newest snapshot file when
 * MySQL is behind it. This saves one fsync (3-12 ms here) on every write's path.
 *
 * Every option here is understood by MariaDB and Oracle MySQL (docker mode runs mysql:8.0).
 */
export const STATE_MACHINE_TUNING: readonly string[] = [
  '--innodb-flush-log-at-trx-commit=2',
  // Large enough for the working set of ~100,000 tasks and their client sessions. With 16 MB,
  // random primary keys made every apply evict and re-read pages once a node held ~40,000
  // tasks: 6-7 s to apply a 10,000-entry catch-up instead of 1.2 s, and 40 % fewer writes/s
  // under steady load (measured with npm run bench). Costs ~48 MB more per server once the
  // table is that large (RSS after 60,000 inserts: 108 MB with 64M, 77 MB with 32M, which took
  // 3x as long for the last 10,000; cluster/node/PERFORMANCE.md, third pass).
  '--innodb-buffer-pool-size=64M',
  // The rest only trims memory nothing here uses; none of it touches what a commit keeps.
  // Every table is InnoDB: MyISAM's key cache (128 MB by default, ~24 MB of it resident at
  // start) holds nothing.
  '--key-buffer-size=64K',
  // The redo log buffer (16 MB by default, resident twice over: ~28 MB) only has to hold the
  // redo of the transactions between two writes of it; an apply batch writes a few KB. A larger
  // transaction (a snapshot restore) makes InnoDB write the buffer out sooner, nothing else.
  '--innodb-log-buffer-size=2M',
  // MariaDB's default already; MySQL 8 (docker mode) would otherwise spend ~100 MB on it.
  '--performance-schema=OFF',
];

/**
 * MariaDB-only options (Oracle MySQL refuses unknown ones): Aria holds only the system tables
 * and on-disk internal temporary tables here, so its page cache (128 MB by default, ~6 MB
 * resident at start) can be small.
 */
export const MARIADB_TUNING: readonly string[] = ['--aria-pagecache-buffer-size=1M'];
