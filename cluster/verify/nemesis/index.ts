/** Nemesis runs (issue 6 §2): `runVerify`, its faults, checks and report. */
export {
  DEFAULT_KINDS,
  NEMESIS_KINDS,
  Nemesis,
  type FaultRecord,
  type NemesisKind,
} from './faults.js';
export { parseVerifyArgs, USAGE, type CliOptions } from './args.js';
export {
  WRITE_OUTAGE_TARGET_MS,
  blame,
  longestWriteOutage,
  outageLine,
  writeGaps,
  type WriteOutage,
} from './outage.js';
export { renderHtml, verdictLine, writeReport } from './report.js';
export { runVerify, type VerifyOptions, type VerifyResult } from './run.js';
export { checkStale, type Anomaly } from './stale.js';
