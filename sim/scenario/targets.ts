/** Fault targets and node names: their syntax, the references they make (brokers, partitions, clients, labels), and their text. */
import { suggest } from '../config/config.js';
import type { ProblemParts } from '../config/units.js';
import type { BrokerId, Target } from './types.js';
import { TARGET_EXPECTED, type RawTarget } from './schema.js';
import type { Path, Problems } from './problems.js';

/** What targets and node names can refer to. */
export interface Env {
  brokers: BrokerId[];
  /** Rack name → its brokers (broker.rack); empty without racks. */
  racks: Map<string, BrokerId[]>;
  topics: Map<string, { partitions: number; rf: number }>;
  producers: Set<string>;
  consumers: Set<string>;
  /** group.id of the consumers that join a group. */
  groups: Set<string>;
  /** group.protocol of each group's consumers. */
  groupProtocols: Map<string, string>;
  /** The brokers' log directories (log.dirs; one, `log.dir`, when it is empty). */
  logDirs: string[];
}

/** `3`, `b3`, `broker 3` → 3. */
export function brokerIdOf(text: string): number | undefined {
  const m = /^(?:broker\s*|b)?(\d+)$/i.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

export function checkBroker(path: Path, id: number, got: unknown, env: Env, p: Problems): boolean {
  if (env.brokers.includes(id)) return true;
  return !!p.report(path, { problem: `no broker ${id}`, got, expected: `one of the brokers ${env.brokers.join(', ')}` });
}

export function checkClient(path: Path, kind: 'producer' | 'consumer', name: string, got: unknown, env: Env, p: Problems): { name: string } | undefined {
  const names = kind === 'producer' ? env.producers : env.consumers;
  if (names.has(name)) return { name };
  const close = suggest(name, [...names]);
  return p.report(path, { problem: `unknown ${kind}`, got, ...(close ? { hint: `did you mean "${kind} ${close}"?` } : { expected: `one of: ${[...names].join(', ') || `(no ${kind}s defined)`}` }) });
}

/** Target syntax that is not a label; `undefined` when the text does not look like one (so it may be a label). */
export function builtinTarget(text: string): { target: Target } | { bad: ProblemParts } | undefined {
  const t = text.trim().replace(/\s+/g, ' ');
  const id = brokerIdOf(t);
  if (id !== undefined) return { target: { kind: 'broker', id } };
  if (/^(controller|ctl)$/i.test(t)) return { target: { kind: 'controller' } };
  if (/^all brokers$/i.test(t)) return { target: { kind: 'allBrokers' } };
  const rack = /^rack (\S+)$/i.exec(t);
  if (rack) return { target: { kind: 'rack', rack: rack[1]!, brokers: [] } };
  const client = /^(producer|consumer) (.+)$/i.exec(t);
  if (client) return { target: { kind: client[1]!.toLowerCase() as 'producer' | 'consumer', name: client[2]! } };
  const coordinator = /^coordinator of (?:group )?(.+)$/i.exec(t);
  if (coordinator) return { target: { kind: 'coordinator', group: coordinator[1]! } };
  const role = /^(leader|followers|follower) of (.+)$/i.exec(t);
  if (!role) return undefined;
  const tp = /^(.+)-(\d+)$/.exec(role[2]!);
  if (!tp) return { bad: { problem: 'a partition is named TOPIC-N', got: text, expected: `${role[1]!.toLowerCase()} of ${role[2]}-0 (for partition 0)` } };
  return { target: { kind: role[1]!.toLowerCase() as 'leader' | 'followers' | 'follower', topic: tp[1]!, partition: Number(tp[2]) } };
}

/** A built-in target's references exist: broker, topic and partition, producer, consumer. */
function checkTarget(path: Path, t: Target, got: unknown, env: Env, p: Problems): boolean {
  switch (t.kind) {
    case 'broker':
      return checkBroker(path, t.id, got, env, p);
    case 'producer':
    case 'consumer':
      return !!checkClient(path, t.kind, t.name, got, env, p);
    case 'leader':
    case 'follower':
    case 'followers':
      return checkPartition(path, t, got, env, p);
    case 'rack':
      return checkRack(path, t, got, env, p);
    case 'coordinator':
      if (env.groups.has(t.group)) return true;
      return !!p.report(path, { problem: `no consumer has group.id "${t.group}"`, got, expected: `coordinator of group NAME, one of: ${[...env.groups].join(', ') || '(no groups)'}` });
    default:
      return true;
  }
}

/** A rack target names a rack some broker is on; fills in its brokers. */
function checkRack(path: Path, t: { rack: string; brokers: BrokerId[] }, got: unknown, env: Env, p: Problems): boolean {
  const brokers = env.racks.get(t.rack);
  if (brokers) {
    t.brokers.push(...brokers);
    return true;
  }
  const racks = [...env.racks.keys()];
  if (racks.length === 0) return !!p.report(path, { problem: `no rack "${t.rack}": no broker has a rack`, got, hint: 'give brokers racks with cluster.racks: [a, a, b, b, c, c]' });
  const close = suggest(t.rack, racks);
  return !!p.report(path, { problem: `no rack "${t.rack}"`, got, expected: `one of the racks ${racks.join(', ')}`, ...(close ? { hint: `did you mean "rack ${close}"?` } : {}) });
}

function checkPartition(path: Path, t: { kind: string; topic: string; partition: number }, got: unknown, env: Env, p: Problems): boolean {
  const topic = env.topics.get(t.topic);
  if (!topic) {
    const close = suggest(t.topic, [...env.topics.keys()]);
    return !!p.report(path, { problem: `unknown topic "${t.topic}"`, got, ...(close ? { hint: `did you mean "${close}"?` } : {}) });
  }
  if (t.partition >= topic.partitions) return !!p.report(path, { problem: `${t.topic} has no partition ${t.partition}`, got, expected: `a partition 0..${topic.partitions - 1}` });
  if (t.kind !== 'leader' && topic.rf < 2) return !!p.report(path, { problem: `${t.topic}-${t.partition} has replication factor 1, so no followers`, got });
  return true;
}

/** Labels in effect while walking faults in time order: defined so far, and all (to explain "defined later"). */
export interface Labels {
  defined: Set<string>;
  later: Map<string, string>;
}

export function resolveTarget(path: Path, raw: RawTarget, env: Env, labels: Labels, p: Problems): Target | undefined {
  const text = String(raw);
  const parsed = builtinTarget(text);
  if (parsed && 'bad' in parsed) return p.report(path, parsed.bad);
  if (parsed) return checkTarget(path, parsed.target, raw, env, p) ? parsed.target : undefined;
  if (labels.defined.has(text)) return { kind: 'label', label: text };
  const later = labels.later.get(text);
  if (later) return p.report(path, { problem: `label "${text}" is only defined later (${later})`, got: raw, expected: 'a label defined by an earlier fault' });
  const close = suggest(text, [...labels.defined]);
  return p.report(path, { problem: 'unknown target', got: raw, ...(close ? { hint: `did you mean "${close}"?` } : { expected: TARGET_EXPECTED }) });
}

export function targetText(t: Target): string {
  switch (t.kind) {
    case 'broker':
      return `broker ${t.id}`;
    case 'leader':
    case 'follower':
    case 'followers':
      return `${t.kind} of ${t.topic}-${t.partition}`;
    case 'controller':
      return 'controller';
    case 'allBrokers':
      return 'all brokers';
    case 'rack':
      return `rack ${t.rack}`;
    case 'producer':
    case 'consumer':
      return `${t.kind} ${t.name}`;
    case 'coordinator':
      return `coordinator of group ${t.group}`;
    case 'label':
      return t.label;
  }
}
