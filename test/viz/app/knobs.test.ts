import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyKnobs, currentKnobs, parseKnobs } from '../../../viz/app/knobs.js';
import { parseScenario } from '../../../sim/scenario/parse.js';

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
});
