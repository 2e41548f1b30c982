/** Server options for the MySQL servers Raftboard manages (managed and docker modes). */

/**
 * A managed MariaDB holds a node's state machine, not its durable record: every entry is in the
 * node's WAL (fdatasync'ed before it counts) until a snapshot file (fsync'ed) covers it. So
 * InnoDB may write its redo log at each commit and flush it to disk once a second (etcd batches
 * its bbolt commits the same way). A MySQL process crash loses nothing (the log is in the OS
 * cache); a machine crash can lose its last second, which the node replays on restart: the
 * applier re-applies from MySQL's own applied index, or restores the newest snapshot file when
 * MySQL is behind it. This saves one fsync (3-12 ms here) on every write's path.
 */
export const STATE_MACHINE_TUNING: readonly string[] = [
  '--innodb-flush-log-at-trx-commit=2',
  // Large enough for the working set of ~100,000 tasks and their client sessions. With 16 MB,
  // random primary keys made every apply evict and re-read pages once a node held ~40,000
  // tasks: 6-7 s to apply a 10,000-entry catch-up instead of 1.2 s, and 40 % fewer writes/s
  // under steady load (measured with npm run bench). Costs ~48 MB more per server.
  '--innodb-buffer-pool-size=64M',
];
