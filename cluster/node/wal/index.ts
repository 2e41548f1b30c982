export { DiskStorage, DEFAULT_SEGMENT_BYTES, type DiskStorageOptions } from './disk-storage.js';
export type { LogStore, SaveBatch } from './log-store.js';
export { DiskStorageError, WalCorruptionError } from './errors.js';
export { crc32c } from './crc32c.js';
