/**
 * The deterministic simulator of the Raft core: scenario tests use {@link SimCluster}, sweeps use
 * {@link runSeed}, planted-bug tests pass their own core (`makeNode`) or driver (`driver`).
 */
export {
  SimCluster,
  type ReadHandle,
  type SimClusterOptions,
  type StartResult,
} from './cluster.js';
export { runSeed, DEFAULT_STEPS, type FuzzOptions, type FuzzResult } from './fuzz.js';
export type { FaultProfile } from './faults.js';
export {
  InvariantChecker,
  InvariantViolation,
  type LogView,
  type Violation,
} from './invariants.js';
export { healAndCheckLiveness, checkDurability } from './liveness.js';
export { Network, type LinkFaults, type MessageCounts } from './network.js';
export {
  SimNode,
  defaultMakeDriver,
  defaultMakeNode,
  type MakeDriver,
  type MakeNode,
  type NodeConfig,
  type NodeEnv,
  type SimNodeOptions,
} from './node.js';
export { SimRng } from './rng.js';
export { StateMachine, chainHash } from './statemachine.js';
export { Trace, formatMessage, describeMessage } from './trace.js';
