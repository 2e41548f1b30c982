export type * from './types.js';
export { ApiRequestError, isRetryable, toRequestError } from './errors.js';
export { createHttpApi } from './http.js';
export { apiFromBridge, type BridgeResult, type RaftboardBridge } from './bridge.js';
export { chooseApi } from './select.js';
export { newIdempotencyKey } from './keys.js';
