/** A minimal trace header (schema of this kafkasim, a 4.1 KRaft cluster, no topics) for tests to extend. */
import { TRACE_SCHEMA_VERSION, type HeaderEvent } from '../sim/trace/index.js';

export function traceHeader(over: Partial<HeaderEvent> = {}): HeaderEvent {
  return {
    type: 'header',
    t: 0,
    schema: TRACE_SCHEMA_VERSION,
    scenario: 'x',
    seed: 1,
    kafkaVersion: '4.1',
    controller: 'kraft',
    sessionTimeoutMs: 9000,
    truncation: 'divergingEpoch',
    durationUs: 10,
    brokers: [1],
    topics: [],
    producers: [],
    consumers: [],
    ...over,
  };
}
