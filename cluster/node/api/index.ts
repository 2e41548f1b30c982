/** The node's client HTTP API (docs/contract.md §4), mounted by main.ts on startApiServer. */
export { createClientRouter, type ClientRouterOptions } from './routes.js';
export { FORWARDED_HEADER } from './forward.js';
