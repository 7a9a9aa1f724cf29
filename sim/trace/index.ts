/**
 * The trace: the typed, versioned events a run emits (the only contract between the model and anything
 * that reads a run: checks, reports, the visualizer), and how they are hashed and written.
 */
export * from './events.js';
