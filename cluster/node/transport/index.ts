export * from './codec.js';
export * from './faults.js';
export * from './handshake.js';
export * from './secret.js';
export * from './transport.js';
export * from './validate.js';
export * from './peer-transport.js';
