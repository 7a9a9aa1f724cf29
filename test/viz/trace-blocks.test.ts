import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario.js';
import { createSimulation } from '../../sim/simulation.js';
import { ArraySink, toNdjson } from '../../sim/trace.js';
import { TraceBlockParser } from '../../viz/trace-file.js';

describe('reading a trace file block by block in the page', () => {
  const sink = new ArraySink();
  const sim = createSimulation(parseScenario(readFileSync('scenarios/acks1-leader-loss.yaml', 'utf8'), 'a.yaml'), { seed: 2, sinks: [sink] });
  sim.run();
  const text = toNdjson(sink.events);

  it('gives the same events and trace hash as the simulator, whatever the block boundaries', () => {
    const lines = text.split('\n');
    const p = new TraceBlockParser('t.ndjson');
    const out = [];
    for (let i = 0; i < lines.length; i += 997) out.push(...p.block(lines.slice(i, i + 997).join('\n') + '\n'));
    expect(out.length).toBe(sink.events.length);
    expect(p.end()).toBe(sim.trace.hasher.digest());
  });

  it('names the bad line, also when a block needs the line-by-line path', () => {
    const lines = text.split('\n');
    lines.splice(5, 0, ''); // a blank line: the fallback path
    lines[10] = '{"type":"hw","t":';
    const p = new TraceBlockParser('t.ndjson');
    expect(() => p.block(lines.slice(0, 50).join('\n'))).toThrow(/t\.ndjson: line 11: not JSON/);
  });

  it('rejects a file that does not start with a header', () => {
    const p = new TraceBlockParser('t.ndjson');
    expect(() => p.block(text.split('\n').slice(1, 10).join('\n'))).toThrow(/first event must be the header/);
  });
});
