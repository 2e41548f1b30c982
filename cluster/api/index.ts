export * from './task.js';
export * from './schemas.js';
export * from './idempotency.js';
