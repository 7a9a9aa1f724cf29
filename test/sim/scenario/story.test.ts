/** What a scenario teaches: title, question and answer, compare; and the shipped scenarios' metadata. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { applySettings, settingValue } from '../../../sim/scenario/story.js';

const ROOT = fileURLToPath(new URL('../../../scenarios/', import.meta.url));
function files(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : []));
}
const folder = (path: string): string => (path.includes('/') ? path.split('/')[0]! : '');
const BASE = `
name: s
duration: 10s
cluster: { brokers: 3, config: { min.insync.replicas: 2 } }
topics: [{ name: t, partitions: 1, replication.factor: 3, replicas: [[1, 2, 3]], config: { min.insync.replicas: 2 } }]
producers: [{ name: p, topic: t, rate: 10/s, config: { acks: all } }, { name: q, topic: t, rate: 10/s }]
`;
const problem = (extra: string): string => {
  try {
    parseScenario(BASE + extra);
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
};

describe('title, question, answer, compare', () => {
  it('are read, with the name as the default title', () => {
    expect(parseScenario(BASE).title).toBe('s');
    const s = parseScenario(`${BASE}title: One line\nquestion: Why?\nanswer: Because.\ncompare: { set: { acks: 1, min.insync.replicas: 3 } }\n`);
    expect(s).toMatchObject({ title: 'One line', question: 'Why?', answer: 'Because.', compare: { set: { acks: 1, 'min.insync.replicas': 3 } } });
    expect(parseScenario(`${BASE}compare: { with: other }\n`).compare).toEqual({ with: 'other' });
  });

  it('are validated', () => {
    expect(problem('title: "two\\nlines"\n')).toMatch(/title: .*one line/);
    expect(problem(`title: ${'x'.repeat(161)}\n`)).toMatch(/title: expected at most 160 characters/);
    expect(problem('question: Why?\n')).toMatch(/question: needs an answer beside it/);
    expect(problem('answer: Because.\n')).toMatch(/answer: needs a question beside it/);
    expect(problem('compare: { with: other, set: { acks: 1 } }\n')).toMatch(/compare: needs exactly one of with and set/);
    expect(problem('compare: {}\n')).toMatch(/compare: needs exactly one of with and set/);
    expect(problem('compare: { set: { akcs: 1 } }\n')).toMatch(/compare\.set\.akcs: unknown setting/);
    expect(problem('compare: { set: { acks: 2 } }\n')).toMatch(/compare\.set\.acks: .*got 2/);
    expect(problem('compare: { set: { kafkaVersion: "9.9" } }\n')).toMatch(/compare\.set\.kafkaVersion: .*one of/);
    expect(problem('compare: { set: { brokers: 0 } }\n')).toMatch(/compare\.set\.brokers/);
    expect(problem('compare: { set: {} }\n')).toMatch(/compare\.set: is empty/);
    expect(problem('compare: { wiht: x }\n')).toMatch(/compare/);
  });
});

describe('applySettings', () => {
  it('puts each setting where Kafka reads it, and settingValue reads it back', () => {
    const text = applySettings(BASE, { acks: '1', 'min.insync.replicas': 3, 'replication.factor': 2, brokers: 4, kafkaVersion: '3.9', 'flush.messages': 1 });
    const s = parseScenario(text);
    expect(s.producers.map((p) => p.config.acks)).toEqual([1, 1]);
    expect(s.cluster.config['min.insync.replicas']).toBe(3);
    expect(s.topics[0]!.config['min.insync.replicas']).toBe(3);
    expect(s.topics[0]!.config['flush.messages']).toBe(1);
    expect(s.topics[0]!.replicationFactor).toBe(2);
    expect(s.topics[0]!.replicaAssignment).toBeUndefined();
    expect(s.cluster.brokers).toEqual([1, 2, 3, 4]);
    expect(s.cluster.kafkaVersion).toBe('3.9');
    expect(['acks', 'min.insync.replicas', 'replication.factor', 'brokers', 'kafkaVersion'].map((k) => settingValue(text, k))).toEqual(['1', '3', '2', '4', '3.9']);
    expect(() => applySettings(BASE, { nope: 1 })).toThrow(/setting "nope"/);
  });
});

describe('the shipped scenarios', () => {
  const all = files().map((f) => ({ path: relative(ROOT, f).replace(/\.yaml$/, ''), text: readFileSync(f, 'utf8') }));
  const parsed = all.map((f) => ({ ...f, s: parseScenario(f.text, f.path) }));
  const byName = new Map(parsed.map((f) => [f.s.name, f]));

  it.each(parsed.map((f) => [f.path, f] as const))('%s says what it teaches', (path, { s, text }) => {
    expect(s.title).not.toBe(s.name);
    expect(s.title.length).toBeGreaterThan(20);
    // A question scenario answers its question; the others do not claim one.
    expect(s.question !== undefined).toBe(path.startsWith('questions/'));
    expect(s.compare).toBeDefined();
    if (s.compare?.with !== undefined) {
      const other = byName.get(s.compare.with);
      expect(other, `compare.with ${s.compare.with}`).toBeDefined();
      expect(other!.s.question).toBe(s.question);
      expect(folder(other!.path)).toBe(folder(path));
    } else {
      const b = parseScenario(applySettings(text, s.compare!.set!), `${path} (B)`);
      for (const [k, v] of Object.entries(s.compare!.set!)) expect(settingValue(applySettings(text, s.compare!.set!), k)).toBe(String(v));
      expect(b.name).toBe(s.name);
    }
  });

  it('a question is asked in the same words by each of its sides, and docs/questions.md asks it', () => {
    const docs = readFileSync(fileURLToPath(new URL('../../../docs/questions.md', import.meta.url)), 'utf8');
    for (const { path, s } of parsed.filter((f) => f.s.question !== undefined)) {
      expect(docs, path).toContain(`. ${s.question}\n`);
      const sides = parsed.filter((f) => f.path.slice(0, 13) === path.slice(0, 13));
      expect(new Set(sides.map((f) => f.s.question)).size, path).toBe(1);
    }
  });
});
