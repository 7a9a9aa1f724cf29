/**
 * The trace: the typed, versioned events a run emits (the only contract between the model and anything
 * that reads a run: checks, reports, the visualizer), the one table of their fields, and how they are
 * hashed, written and read back.
 */
export * from './events.js';
export * from './fields.js';
export * from './hash.js';
export * from './reader.js';
export * from './words.js';
