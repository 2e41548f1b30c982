export * from './types.js';
export * from './storage.js';
export { RawNode, type RaftFactory } from './rawnode.js';
export { Raft } from './raft.js';
