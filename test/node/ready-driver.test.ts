/**
 * The one Ready driver (cluster/node/ready-driver.ts) on a single-voter core over memory
 * storage: the order of the contract, the background write that holds the next Ready back,
 * freeze/thaw, and a failed disk that lets nothing of its Ready out.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  MemoryStorage,
  RawNode,
  type Entry,
  type Ready,
} from '../../cluster/raft/index.js';
import { ReadyDriver, type ReadyIO } from '../../cluster/node/ready-driver.js';

function singleVoter(): { raw: RawNode; storage: MemoryStorage } {
  const storage = new MemoryStorage({ voters: [1], learners: [] });
  const raw = new RawNode({ ...DEFAULT_CONFIG, id: 1, rng: { int: () => 0 } }, storage);
  return { raw, storage };
}

/** Records every call, in order; `appendAsync` is held until `release()` is called. */
function recordingIO(storage: MemoryStorage, opts: { background?: boolean } = {}) {
  const calls: string[] = [];
  const held: { entries: readonly Entry[]; done: (e: Error | null) => void }[] = [];
  const io: ReadyIO = {
    observe: () => calls.push('ready'),
    save: (b) => {
      calls.push(`save e${b.entries.length}${b.hardState ? ' hs' : ''}`);
      storage.save(b);
    },
    send: (m) => calls.push(`send ${m.length}`),
    apply: (rd: Ready) => calls.push(`apply ${rd.committedEntries.map((e) => e.index).join(',')}`),
    afterAdvance: () => calls.push('advanced'),
    ...(opts.background === true
      ? {
          hardStateToPersist: () => undefined,
          appendAsync: (entries, done) => {
            calls.push(`write e${entries.length}`);
            storage.append(entries);
            held.push({ entries, done });
          },
        }
      : {}),
  };
  const release = (error: Error | null = null): void => held.shift()!.done(error);
  return { io, calls, release, held };
}

describe('the Ready driver', () => {
  it('persists, then sends, then applies, then advances, one Ready at a time', () => {
    const { raw, storage } = singleVoter();
    const { io, calls } = recordingIO(storage);
    const driver = new ReadyDriver(raw, io);
    raw.campaign();
    driver.drain();
    // Every Ready follows save → send → apply → advanced, and the next starts after it.
    const readies = calls.join('|').split('ready|').filter(Boolean);
    expect(readies.length).toBeGreaterThan(0);
    for (const r of readies) expect(r).toMatch(/^save [^|]*\|send \d+\|apply [^|]*\|advanced\|?$/);
    expect(raw.status().role).toBe('leader');
    expect(raw.hasReady()).toBe(false);
  });

  it('takes no other Ready while a background write is in flight, and goes on once it is durable', () => {
    const { raw, storage } = singleVoter();
    raw.campaign();
    new ReadyDriver(raw, recordingIO(storage).io).drain();
    const { io, calls, release, held } = recordingIO(storage, { background: true });
    const driver = new ReadyDriver(raw, io);
    raw.propose('a');
    driver.drain();
    expect(calls).toEqual(['ready', 'write e1']);
    expect(driver.handling).toBe(true);
    raw.propose('b');
    driver.drain();
    // Nothing of the first Ready left, and the second waits for it.
    expect(calls).toEqual(['ready', 'write e1']);
    release();
    expect(calls.slice(2, 5)).toEqual(['send 0', expect.stringMatching(/^apply/), 'advanced']);
    // The second Ready ("b") was taken right after the first finished.
    expect(held).toHaveLength(1);
    release();
    driver.drain();
    expect(storage.lastIndex()).toBe(3);
    expect(raw.status().commit).toBe(3);
  });

  it('holds a write that became durable while frozen until thaw', () => {
    const { raw, storage } = singleVoter();
    raw.campaign();
    new ReadyDriver(raw, recordingIO(storage).io).drain();
    const { io, calls, release } = recordingIO(storage, { background: true });
    const driver = new ReadyDriver(raw, io);
    raw.propose('a');
    driver.drain();
    driver.freeze();
    release();
    expect(calls).toEqual(['ready', 'write e1']);
    driver.thaw();
    expect(calls).toContain('advanced');
  });

  it('lets nothing of a Ready out when its write fails, and stops', () => {
    const { raw, storage } = singleVoter();
    raw.campaign();
    new ReadyDriver(raw, recordingIO(storage).io).drain();
    const { io, calls, release } = recordingIO(storage, { background: true });
    const errors: Error[] = [];
    const driver = new ReadyDriver(raw, { ...io, onDiskError: (e) => errors.push(e) });
    raw.propose('a');
    driver.drain();
    release(new Error('EIO'));
    expect(errors.map((e) => e.message)).toEqual(['EIO']);
    expect(calls).toEqual(['ready', 'write e1']);
    raw.propose('b');
    driver.drain();
    expect(calls).toEqual(['ready', 'write e1']);
  });

  it('handleNext takes exactly one Ready', () => {
    const { raw, storage } = singleVoter();
    const { io, calls } = recordingIO(storage);
    const driver = new ReadyDriver(raw, io);
    raw.campaign();
    expect(driver.handleNext()).toBe(true);
    expect(calls.filter((c) => c === 'ready')).toHaveLength(1);
  });
});
