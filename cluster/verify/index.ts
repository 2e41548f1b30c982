/**
 * The linearizability checker (issue 6 §1): record a history of task operations (history.ts,
 * list.ts), then `checkHistory` says whether some order of them, consistent with real time,
 * explains every answer — or shows the few operations that cannot be ordered, and why.
 */
export * from './history.js';
export { checkHistory, partition, type CheckOptions, type CheckResult } from './check.js';
export { attributeCreates, splitListRead, type ListRead, type SplitList } from './list.js';
export { describeOp, describeState, explain } from './explain.js';
export { type TaskState } from './model.js';
export { synthesize, type SynthOptions } from './synth.js';
