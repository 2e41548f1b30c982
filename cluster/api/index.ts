export * from './task.js';
export * from './schemas.js';
