export * from './channel.js';
export * from './errors.js';
export * from './model.js';
export * from './schema.js';
export * from './derive.js';
export * from './ws-frames.js';
export * from './loopback.js';
export * from './lightspeed-api.js';
