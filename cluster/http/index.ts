export * from './errors.js';
export * from './guard.js';
export * from './headers.js';
export * from './body.js';
export * from './router.js';
export * from './server.js';
export * from './url.js';
