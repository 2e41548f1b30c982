/**
 * How long client sessions (Idempotency-Keys) are remembered by default (docs/contract.md §4).
 * A file of its own, without imports, so the node config can name the defaults without loading
 * the state machine (and Sequelize) into every process that reads a config.
 */

/** 24 hours of entry time: the proposers' timestamps, never a replica's clock. */
export const SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;

/** At most this many log entries, which bounds the number of stored sessions. */
export const SESSION_RETENTION_ENTRIES = 1_000_000;
