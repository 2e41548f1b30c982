/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every WAL record,
 * snapshot file and hard-state file. Computed by SheetJS's `crc-32` package (pure JavaScript,
 * slicing-by-16 tables, no dependencies, no install step); this wrapper fixes the sign: the
 * package returns a signed 32-bit integer, callers here want the unsigned value that is stored.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import crc32cImpl from 'crc-32/crc32c.js';

/** The CRC-32C of `data`, unsigned. `crc32c(utf8("123456789")) === 0xe3069283`. */
export function crc32c(data: Uint8Array): number {
  return crc32cImpl.buf(data) >>> 0;
}

/** The same CRC of a large buffer, 4 MiB at a time with a turn of the event loop between. */
export async function crc32cInSlices(data: Uint8Array, sliceBytes = 4 << 20): Promise<number> {
  let crc = 0;
  for (let at = 0; at < data.length; at += sliceBytes) {
    if (at > 0) await nextTurn();
    crc = crc32cImpl.buf(data.subarray(at, at + sliceBytes), crc);
  }
  return crc >>> 0;
}
