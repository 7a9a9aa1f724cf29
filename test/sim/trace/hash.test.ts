import { describe, expect, it } from 'vitest';
import { hashEvents, type TraceEvent } from '../../../sim/trace/index.js';
import { traceHeader } from '../../trace-header.js';

const HEADER = traceHeader({ durationUs: 1_000_000, brokers: [1, 2] });

/** The same event with its keys in reverse order (the hash then reads it field by field by name). */
function reversed(ev: object): TraceEvent {
  return Object.fromEntries(Object.entries(ev).reverse()) as unknown as TraceEvent;
}

describe('trace hash of the header racks (silent when absent)', () => {
  const end: TraceEvent = { type: 'end', t: 5 };

  it('hashes a header without racks the same read in order or by name', () => {
    expect(hashEvents([reversed(HEADER), end])).toBe(hashEvents([HEADER, end]));
  });

  it('hashes racks when present, the same in order or by name', () => {
    const racked = { ...HEADER, racks: { '1': 'a', '2': 'b' } };
    expect(hashEvents([racked, end])).not.toBe(hashEvents([HEADER, end]));
    expect(hashEvents([reversed(racked), end])).toBe(hashEvents([racked, end]));
    expect(hashEvents([{ ...HEADER, racks: { '1': 'a', '2': 'a' } }, end])).not.toBe(hashEvents([racked, end]));
  });
});
