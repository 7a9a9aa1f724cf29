import { describe, expect, it } from 'vitest';
import { layout } from '../../../viz/views/cluster.js';
import { apply, emptyFrame, type Frame } from '../../../viz/derive/frames.js';
import { traceHeader } from '../../trace-header.js';

function frame(racks?: Record<string, string>): Frame {
  const header = traceHeader({ durationUs: 1, brokers: [1, 2] });
  return apply(emptyFrame(), racks ? { ...header, racks } : header);
}

describe('cluster layout', () => {
  it('labels a broker with its rack when the trace has racks', () => {
    const pos = layout(frame({ '1': 'a', '2': 'b' }), { width: 800, height: 600 });
    expect([pos.get('b1')?.label, pos.get('b2')?.label]).toEqual(['b1 (a)', 'b2 (b)']);
  });

  it('labels a broker by its id alone without racks', () => {
    expect(layout(frame(), { width: 800, height: 600 }).get('b1')?.label).toBe('b1');
  });
});
