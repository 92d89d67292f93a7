export * from './protocol/header.js';
export * from './protocol/ipv4.js';
export * from './protocol/fec-encoder.js';
export * from './protocol/fec-decoder.js';
export * from './protocol/control.js';
export * from './protocol/control-frame-reader.js';
export * from './boost/boost-state.js';
export * from './boost/engine-events.js';
