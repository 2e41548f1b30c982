/** The node's client HTTP API (DESIGN §4.4), mounted by main.ts on startApiServer. */
export { createClientRouter, type ClientRouterOptions } from './routes.js';
export { FORWARDED_HEADER } from './forward.js';
