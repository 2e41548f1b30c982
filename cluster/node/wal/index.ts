export {
  DiskStorage,
  DEFAULT_SEGMENT_BYTES,
  type DiskStorageOptions,
  type SaveBatch,
} from './disk-storage.js';
export { DiskStorageError, WalCorruptionError } from './errors.js';
export { crc32c } from './crc32c.js';
