import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyKnobs, currentKnobs, parseKnobs, settingsInForce } from '../../../viz/app/knobs.js';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { defaultSpeedLog, SPEED_LOG_MAX } from '../../../viz/app/playback.js';

const text = `name: k
duration: 10s
cluster: { brokers: 3, config: { min.insync.replicas: 2 } }
topics:
  - { name: t, partitions: 1, replication.factor: 3, replicas: [[1, 2, 3]], config: { min.insync.replicas: 2 } }
producers:
  - { name: p1, topic: t, rate: 100/s, config: { acks: all } }
`;

describe('knobs', () => {
  it('apply by Kafka names to every topic and producer, and the result still validates', () => {
    const out = applyKnobs(text, parseKnobs('acks=1, min.insync.replicas=1, replication.factor=2, rate=500, unclean.leader.election.enable=true'));
    const o = parse(out);
    expect(o.producers[0].config.acks).toBe(1);
    expect(o.producers[0].rate).toBe('500/s');
    expect(o.cluster.config['min.insync.replicas']).toBe(1);
    expect(o.topics[0].config['min.insync.replicas']).toBe(1);
    expect(o.topics[0]['replication.factor']).toBe(2);
    expect(o.topics[0].replicas).toBeUndefined();
    expect(o.cluster.config['unclean.leader.election.enable']).toBe(true);
    const s = parseScenario(out, 'k.yaml');
    expect(s.topics[0].replicationFactor).toBe(2);
  });

  it('leave a scenario unchanged when empty', () => {
    expect(parse(applyKnobs(text, {}))).toEqual(parse(text));
  });

  it('read the scenario own values', () => {
    expect(currentKnobs(text)).toMatchObject({ brokers: '3', acks: 'all', 'min.insync.replicas': '2', rate: '100/s' });
  });

  it('reject an unknown knob by name', () => {
    expect(() => parseKnobs('ackz=1')).toThrow(/not a knob/);
  });

  it('in force: the scenario own values, and the Kafka version profile defaults for the rest', () => {
    const s41 = settingsInForce(text, parseScenario(text, 'k.yaml'));
    expect(s41.kafkaVersion).toBe('4.1');
    expect(s41.knobs).toEqual({
      brokers: { value: '3', from: 'scenario' },
      'replication.factor': { value: '3', from: 'scenario' },
      acks: { value: 'all', from: 'scenario' },
      'min.insync.replicas': { value: '2', from: 'scenario' },
      'unclean.leader.election.enable': { value: 'false', from: 'default' },
      'replica.lag.time.max.ms': { value: '30000', from: 'default' },
      rate: { value: '100/s', from: 'scenario' },
    });
    // Kafka 0.10: unclean election on, replica.lag.time.max.ms 10 s, acks=1 by default.
    const old = text.replace('cluster: {', 'cluster: { kafkaVersion: "0.10",').replace(', config: { acks: all }', '');
    const s010 = settingsInForce(old, parseScenario(old, 'k.yaml'));
    expect(s010.kafkaVersion).toBe('0.10');
    expect(s010.knobs['unclean.leader.election.enable']).toEqual({ value: 'true', from: 'default' });
    expect(s010.knobs['replica.lag.time.max.ms']).toEqual({ value: '10000', from: 'default' });
    expect(s010.knobs.acks).toEqual({ value: '1', from: 'default' });
  });
});

describe('default playback speed', () => {
  it('brings the first fault after 5 s of playing, at least x0.1, within the slider', () => {
    const wallToFault = (faultUs: number, durationUs = 60e6) => faultUs / 1e6 / 10 ** defaultSpeedLog(faultUs, durationUs);
    // One fault at 10 s plays at x2.
    expect(10 ** defaultSpeedLog(10e6, 70e6)).toBeCloseTo(2, 1);
    for (const f of [0.5e6, 2e6, 10e6, 30e6, 100e6]) {
      expect(wallToFault(f, 2 * f)).toBeLessThan(10);
      expect(wallToFault(f, 2 * f)).toBeGreaterThan(2.5);
    }
    // A fault at the very start: never slower than x0.1; a late one: the slider's top.
    expect(defaultSpeedLog(1000, 10e6, 1000)).toBe(-0.9);
    expect(defaultSpeedLog(1000, 0.5e6, 1000)).toBe(-1);
    expect(defaultSpeedLog(3600e6, 7200e6)).toBe(SPEED_LOG_MAX);
    // q03 (faults at 5 s and 40 s, 60 s long): the old leader's return at 40 s, where the loss shows, plays by 8 s.
    const q03 = 10 ** defaultSpeedLog(5e6, 60e6, 40e6);
    expect(41 / q03).toBeLessThan(8.5);
    expect(5 / q03).toBeLessThan(5);
    // killed-leader (crash at 10 s, restart at 40 s): x5.
    expect(10 ** defaultSpeedLog(10e6, 70e6, 40e6)).toBeCloseTo(5, 0);
    // No fault: the whole run plays in 30 s.
    expect(10 ** defaultSpeedLog(undefined, 60e6)).toBeCloseTo(2, 1);
  });
});
