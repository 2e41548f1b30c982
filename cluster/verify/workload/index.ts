/**
 * Recording what task clients do, for the checker: `HistoryLog` turns requests and answers into
 * the history (history.ts rules), `Workload` runs concurrent random clients against a cluster.
 */
export { classify, type TaskAnswer, type TaskRequest } from './exchange.js';
export { send } from './http.js';
export { HistoryLog, type AckedWrite, type Pending, type StaleRead } from './log.js';
export { Workload, type WorkloadOptions } from './workload.js';
