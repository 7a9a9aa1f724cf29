/**
 * The narrative's words (viz/derive/narrative.ts): a fault comes before its effects, its text does not
 * repeat the target it names, and clients go by the scenario's names ("producer p1"), never the trace's
 * node ids (`p:p1`, `c:c1`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { ArraySink } from '../../../sim/trace/index.js';
import { Model } from '../../../viz/derive/model.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function items(text: string, name: string, seed: number, until?: number) {
  const sink = new ArraySink();
  const sim = createSimulation(parseScenario(text, name), { seed, sinks: [sink] });
  if (until === undefined) sim.run();
  else {
    sim.runUntil(until);
    sim.stop();
  }
  const m = new Model();
  m.push(sink.events);
  return m.items;
}

const FILE = (name: string) => readFileSync(`${ROOT}/scenarios/${name}.yaml`, 'utf8');

describe('narrative words', () => {
  it('killed-leader: the fault comes first, then the crash it caused; event indexes stay in order', () => {
    const its = items(FILE('killed-leader'), 'killed-leader', 1, 45_000_000);
    const crash = its.findIndex((x) => x.kind === 'broker' && /^broker 1 crashed/.test(x.text));
    const fault = its.findIndex((x) => x.kind === 'fault' && x.text.startsWith('fault: crash leader of orders-0'));
    expect(fault).toBeGreaterThanOrEqual(0);
    expect(crash).toBe(fault + 1);
    expect(its[fault].text).toBe('fault: crash leader of orders-0 as old-leader → broker 1');
    const restart = its.findIndex((x) => x.kind === 'fault' && x.text.startsWith('fault: restart old-leader'));
    expect(its[restart + 1].text).toMatch(/^broker 1 is running again/);
    // Clicking the fault seeks to the first of its effects; the items stay in event order.
    expect(its[fault].i).toBe(its[crash].i);
    for (let k = 1; k < its.length; k++) expect(its[k].i).toBeGreaterThanOrEqual(its[k - 1].i);
  });

  it('a fault that names its target says it once; clients by their names, never p:/c: ids', () => {
    const text = FILE('killed-leader')
      .replace('{ at: 10s, crash: leader of orders-0, as: old-leader }', '{ at: 2s, crash: broker 3 }')
      .replace(
        '{ at: 40s, restart: old-leader }',
        '{ at: 3s, partition: { between: [producer p1, broker 1] } }\n  - { at: 4s, heal: { between: [producer p1, broker 1] } }\n  - { at: 5s, crash: producer p1 }',
      )
      .replace(/expect:[\s\S]*$/, '');
    const its = items(text, 'named', 1, 8_000_000);
    const texts = its.map((x) => x.text);
    expect(texts).toContain('fault: crash broker 3');
    expect(texts.find((t) => t.startsWith('fault: partition'))).toMatch(/cut producer p1 ↔ broker 1$/);
    expect(texts.find((t) => t.startsWith('fault: crash producer p1'))).toBe('fault: crash producer p1');
    // The producer's crash and the sends it failed come after the fault, at its instant.
    const crashP = texts.indexOf('fault: crash producer p1');
    const crashed = texts.findIndex((t) => /^producer p1 crashed/.test(t));
    expect(crashed).toBeGreaterThan(crashP);
    expect(its.slice(crashP, crashed + 1).every((x) => x.t === its[crashP].t)).toBe(true);
    for (const t of texts) expect(t, t).not.toMatch(/\b[pc]:\w/);
  });
});

describe('narrative of size limits', () => {
  it("record-too-large: send() failing in the producer, and the broker's MESSAGE_TOO_LARGE, each told once with Kafka's words", () => {
    const its = items(FILE('record-too-large'), 'record-too-large', 1);
    const send = its.filter((x) => x.text.startsWith('producer p-default: send() failed with RecordTooLargeException'));
    expect(send).toHaveLength(1);
    expect(send[0].text).toContain('The message is 2000088 bytes when serialized which is larger than 1048576');
    const broker = its.filter((x) => x.text.startsWith('producer p-raised → images-0: send failed for the application: MESSAGE_TOO_LARGE'));
    expect(broker).toHaveLength(1);
    expect(broker[0].text).toContain('The request included a message larger than the max message size the server will accept.');
    expect(its.some((x) => x.text.includes('p-both') && x.kind === 'error')).toBe(false);
  });
});

describe('narrative of a broker that stops itself', () => {
  const JBOD = `
name: halt
duration: 20s
cluster:
  brokers: 3
  config: { min.insync.replicas: 2, log.dirs: "/a,/b", log.dir.failure.timeout.ms: 5000 }
topics:
  - { name: t, partitions: 3, replication.factor: 3 }
producers:
  - { name: p1, topic: t, rate: 100/s, config: { acks: all } }
faults:
`;

  it('says the broker halted because its metadata log directory failed, not that it crashed', () => {
    const its = items(`${JBOD}  - { at: 5s, failDisk: broker 2, dir: /a }\n`, 'halt', 1);
    const b2 = its.filter((x) => x.kind === 'broker' && x.text.startsWith('broker 2'));
    expect(b2.length).toBe(1);
    expect(b2[0].text).toMatch(/^broker 2 halted: the failed disk held its metadata log \(metadata\.log\.dir, by default the first of log\.dirs\)/);
    expect(b2[0].text).toContain('it starts again only once that disk is replaced');
  });

  it('says why the broker shuts itself down when the controller cannot be told of its failed disk', () => {
    const its = items(`${JBOD}  - { at: 4s, partition: { between: [broker 2, controller] } }\n  - { at: 5s, failDisk: broker 2, dir: /b }\n`, 'halt', 1);
    const b2 = its.find((x) => x.kind === 'broker' && x.text.startsWith('broker 2'))!;
    expect(b2.text).toMatch(/^broker 2 is shutting down: no heartbeat telling the controller of its failed log directory was answered within log\.dir\.failure\.timeout\.ms/);
    expect(b2.t).toBe(10_000_000);
  });
});
