/** Normalization of `faults:`: time order, one verb each, its options, targets and labels, and the text the trace shows. */
import { formatDurationUs, parseBandwidth, parseDurationUs } from '../config/units.js';
import type { FaultSpec, Target } from './types.js';
import { FAULT_VERBS, LIMITS, type Verb } from './names.js';
import type { RawFault, RawCut } from './schema.js';
import type { Path, Problems } from './problems.js';
import { brokerIdOf, type Env, builtinTarget, type Labels, resolveTarget, targetText } from './targets.js';

interface Timed {
  raw: RawFault;
  index: number;
  atUs: number;
}

/** The fault `liveness:` adds at the end of the safety phase: heal everything. */
export function healAllFault(atUs: number): FaultSpec {
  return { atUs, verb: 'healAll', text: 'heal all (liveness phase)' };
}

export function normFaults(raws: RawFault[], env: Env, durationUs: number, p: Problems): FaultSpec[] {
  const timed: Timed[] = raws.map((raw, index) => ({ raw, index, atUs: p.unit(['faults', index, 'at'], raw.at, parseDurationUs) ?? 0 }));
  timed.sort((a, b) => a.atUs - b.atUs); // Array.prototype.sort is stable: same time keeps file order
  const labels: Labels = { defined: new Set(), later: new Map() };
  // A broker added by an earlier fault is a target for the later ones.
  env = { ...env, brokers: [...env.brokers], topics: new Map(env.topics) };
  for (const t of timed) if (t.raw.as) labels.later.set(t.raw.as, `faults[${t.index}] at ${formatDurationUs(t.atUs)}`);
  const out: FaultSpec[] = [];
  for (const t of timed) {
    if (durationUs > 0 && t.atUs > durationUs) p.report(['faults', t.index, 'at'], { problem: `after the end of the run (${formatDurationUs(durationUs)})`, got: t.raw.at });
    const f = normFault(t, env, labels, p);
    if (f) out.push(f);
    if (t.raw.as) labels.defined.add(t.raw.as);
  }
  return out;
}

/** Verbs that are admin requests to the controller, not faults on a node. */
const CLUSTER_VERBS: readonly Verb[] = ['electLeaders', 'createPartitions', 'addBroker', 'reassign', 'unregisterBroker'];

/** Verbs that act on a broker's disks. */
const DISK_VERBS: readonly Verb[] = ['slowDisk', 'restoreDisk', 'failDisk', 'replaceDisk'];
type DiskVerb = 'slowDisk' | 'restoreDisk' | 'failDisk' | 'replaceDisk';
const isDiskVerb = (v: Verb): v is DiskVerb => DISK_VERBS.includes(v);

function faultVerb(path: Path, raw: RawFault, p: Problems): Verb | undefined {
  const verbs = FAULT_VERBS.filter((v) => raw[v] !== undefined);
  if (verbs.length === 1) return verbs[0];
  if (verbs.length === 0) return p.report(path, { problem: 'a fault needs a verb', got: raw, expected: `one of ${FAULT_VERBS.join(', ')}` });
  return p.report(path, { problem: `one verb per fault, got ${verbs.join(' and ')}`, expected: 'a separate fault for each' });
}

function checkFaultOptions(path: Path, verb: Verb, raw: RawFault, p: Problems): void {
  if (raw.mode !== undefined && verb !== 'crash') p.report([...path, 'mode'], { problem: 'mode applies to crash only', got: raw.mode });
  if (raw.factor !== undefined && verb !== 'slowDisk') p.report([...path, 'factor'], { problem: 'factor applies to slowDisk only', got: raw.factor });
  if (verb === 'slowDisk' && raw.factor === undefined) p.report(path, { problem: 'slowDisk needs a factor', expected: 'factor: N (N times slower)' });
  if (raw.dir !== undefined && !isDiskVerb(verb)) p.report([...path, 'dir'], { problem: 'dir applies to slowDisk, restoreDisk, failDisk and replaceDisk only', got: raw.dir });
  const single = verb !== 'heal' && !CLUSTER_VERBS.includes(verb) && (verb !== 'partition' || typeof raw.partition !== 'object');
  if (raw.increaseTo !== undefined && verb !== 'createPartitions') p.report([...path, 'increaseTo'], { problem: 'increaseTo applies to createPartitions only', got: raw.increaseTo });
  if (verb === 'createPartitions' && raw.increaseTo === undefined) p.report(path, { problem: 'createPartitions needs increaseTo', expected: 'increaseTo: N (the new partition count)' });
  if (raw.throttle !== undefined && verb !== 'reassign') p.report([...path, 'throttle'], { problem: 'throttle applies to reassign only', got: raw.throttle });
  if (raw.for !== undefined && verb !== 'electLeaders') p.report([...path, 'for'], { problem: 'for applies to electLeaders only', got: raw.for });
  if (raw.as !== undefined && verb === 'electLeaders') p.report([...path, 'as'], { problem: 'as: names a node, and electLeaders acts on partitions', got: raw.as });
  else if (raw.as !== undefined && CLUSTER_VERBS.includes(verb)) p.report([...path, 'as'], { problem: `as: names a node a fault acts on, and ${verb} is an admin request`, got: raw.as });
  else if (raw.as !== undefined && !single) p.report([...path, 'as'], { problem: 'as: needs a fault with a single target', got: raw.as });
  if (raw.as !== undefined && (builtinTarget(raw.as) || /^all$/i.test(raw.as))) {
    p.report([...path, 'as'], { problem: 'this label reads as a target', got: raw.as, expected: 'a name such as old-leader or victim' });
  }
}

function normFault(t: Timed, env: Env, labels: Labels, p: Problems): FaultSpec | undefined {
  const path: Path = ['faults', t.index];
  const verb = faultVerb(path, t.raw, p);
  if (!verb) return undefined;
  checkFaultOptions(path, verb, t.raw, p);
  const as = t.raw.as !== undefined ? { as: t.raw.as } : {};
  if (verb === 'partition' || verb === 'heal') return cutFault(path, verb, t, env, labels, p);
  if (verb === 'electLeaders') return electFault(path, t, env, p);
  if (verb === 'createPartitions') return createPartitionsFault(path, t, env, p);
  if (verb === 'addBroker' || verb === 'unregisterBroker') return brokerIdFault(path, verb, t, env, p);
  if (verb === 'reassign') return reassignFault(path, t, env, p);
  const target = resolveTarget([...path, verb], t.raw[verb] as string | number, env, labels, p);
  if (!target) return undefined;
  if (isDiskVerb(verb) && (target.kind === 'producer' || target.kind === 'consumer')) {
    return p.report([...path, verb], { problem: `${verb} acts on a broker's disk`, got: t.raw[verb], expected: 'a broker target' });
  }
  const text = `${verb} ${targetText(target)}`;
  if (verb === 'crash') {
    const mode = t.raw.mode ?? 'process';
    return { atUs: t.atUs, verb, target, mode, ...as, text: `${text}${mode === 'power' ? ' (power loss)' : ''}${t.raw.as ? ` as ${t.raw.as}` : ''}` };
  }
  if (isDiskVerb(verb)) return diskFault(path, verb, t, target, env, p);
  return { atUs: t.atUs, verb, target, ...as, text: `${text}${t.raw.as ? ` as ${t.raw.as}` : ''}` };
}

/** slowDisk, restoreDisk, failDisk or replaceDisk: every disk of the broker, or the one of log directory `dir`. */
function diskFault(path: Path, verb: DiskVerb, t: Timed, target: Target, env: Env, p: Problems): FaultSpec | undefined {
  const as = t.raw.as !== undefined ? { as: t.raw.as } : {};
  let dir: { dir: number } | Record<string, never> = {};
  if (t.raw.dir !== undefined) {
    const i = env.logDirs.indexOf(t.raw.dir.trim());
    if (i < 0 || env.logDirs.length === 1) {
      const expected = env.logDirs.length === 1 ? 'no dir: the brokers have one log directory (give log.dirs several to name one)' : `one of log.dirs: ${env.logDirs.join(', ')}`;
      return p.report([...path, 'dir'], { problem: 'not a log directory of the brokers', got: t.raw.dir, expected });
    }
    dir = { dir: i };
  }
  const text = `${verb} ${targetText(target)}${t.raw.dir === undefined ? '' : ` ${t.raw.dir.trim()}`}`;
  if (verb === 'slowDisk') return { atUs: t.atUs, verb, target, factor: t.raw.factor ?? 1, ...dir, ...as, text: `${text} ×${t.raw.factor ?? 1}` };
  return { atUs: t.atUs, verb, target, ...dir, ...as, text: `${text}${t.raw.as ? ` as ${t.raw.as}` : ''}` };
}

function cutFault(path: Path, verb: 'partition' | 'heal', t: Timed, env: Env, labels: Labels, p: Problems): FaultSpec | undefined {
  const raw = t.raw[verb]!;
  const vp = [...path, verb];
  if (verb === 'heal' && typeof raw === 'string' && /^all$/i.test(raw.trim())) return { atUs: t.atUs, verb, text: 'heal all' };
  const shape = cutShape(vp, verb, raw as RawCut, env, labels, p);
  if (!shape) return undefined;
  const as = verb === 'partition' && t.raw.as !== undefined ? { as: t.raw.as } : {};
  return { atUs: t.atUs, verb, ...shape.spec, ...as, text: `${verb} ${shape.text}` };
}

function cutShape(
  path: Path,
  verb: 'partition' | 'heal',
  raw: RawCut,
  env: Env,
  labels: Labels,
  p: Problems,
): { spec: Pick<Extract<FaultSpec, { verb: 'partition' }>, 'isolate' | 'between'>; text: string } | undefined {
  if (typeof raw !== 'object') {
    const isolate = resolveTarget(path, raw, env, labels, p);
    return isolate && { spec: { isolate }, text: `${verb === 'partition' ? 'isolate ' : ''}${targetText(isolate)}` };
  }
  const side = (k: 0 | 1) => {
    const group = raw.between[k];
    const targets = Array.isArray(group) ? group.map((r, j) => resolveTarget([...path, 'between', k, j], r, env, labels, p)) : [resolveTarget([...path, 'between', k], group, env, labels, p)];
    return targets.every((x) => x !== undefined) ? (targets as Target[]) : undefined;
  };
  const a = side(0);
  const b = side(1);
  if (!a || !b) return undefined;
  const group = (ts: Target[]) => (ts.length === 1 ? targetText(ts[0]!) : `[${ts.map(targetText).join(', ')}]`);
  const oneWay = raw.oneWay ?? false;
  return { spec: { between: { a, b, oneWay } }, text: `between ${group(a)} and ${group(b)}${oneWay ? ' (one way)' : ''}` };
}

/** `electLeaders: preferred`, for every partition, one topic's (`for: TOPIC`) or one partition's (`for: TOPIC-N`). */
function electFault(path: Path, t: Timed, env: Env, p: Problems): FaultSpec | undefined {
  const base = { atUs: t.atUs, verb: 'electLeaders' as const, election: 'preferred' as const };
  const scope = t.raw.for?.trim();
  if (scope === undefined) return { ...base, text: 'elect preferred leaders' };
  if (env.topics.has(scope)) return { ...base, topic: scope, text: `elect preferred leaders of ${scope}` };
  const m = /^(.+)-(\d+)$/.exec(scope);
  const topic = m ? env.topics.get(m[1]!) : undefined;
  const expected = `a topic (${[...env.topics.keys()].join(', ')}) or one of its partitions, TOPIC-N`;
  if (!m || topic === undefined) return p.report([...path, 'for'], { problem: 'no such topic or partition', got: t.raw.for, expected });
  const partition = Number(m[2]);
  if (partition >= topic.partitions) return p.report([...path, 'for'], { problem: `${m[1]} has partitions 0 to ${topic.partitions - 1}`, got: t.raw.for });
  return { ...base, topic: m[1]!, partition, text: `elect preferred leader of ${scope}` };
}

/** `createPartitions: TOPIC, increaseTo: N`. */
function createPartitionsFault(path: Path, t: Timed, env: Env, p: Problems): FaultSpec | undefined {
  const topic = t.raw.createPartitions!.trim();
  const info = env.topics.get(topic);
  if (info === undefined) return p.report([...path, 'createPartitions'], { problem: 'no such topic', got: t.raw.createPartitions, expected: `one of ${[...env.topics.keys()].join(', ')}` });
  const increaseTo = t.raw.increaseTo;
  if (increaseTo === undefined) return undefined;
  let total = 0;
  for (const x of env.topics.values()) total += x.partitions;
  if (increaseTo > info.partitions && total + increaseTo - info.partitions > LIMITS.partitions) {
    return p.report([...path, 'increaseTo'], { problem: `more than ${LIMITS.partitions.toLocaleString('en-US')} partitions in the cluster (kafkasim's limit)`, got: increaseTo });
  }
  // Later faults may name the new partitions (an increase the controller refuses adds none: it is rejected then).
  if (increaseTo > info.partitions) env.topics.set(topic, { ...info, partitions: increaseTo });
  return { atUs: t.atUs, verb: 'createPartitions', topic, increaseTo, text: `create partitions of ${topic}: increase to ${increaseTo}` };
}

/** `addBroker: ID` (an id not in the cluster yet) or `unregisterBroker: ID` (one it has). */
function brokerIdFault(path: Path, verb: 'addBroker' | 'unregisterBroker', t: Timed, env: Env, p: Problems): FaultSpec | undefined {
  const raw = t.raw[verb]!;
  const id = typeof raw === 'number' ? raw : brokerIdOf(raw);
  const vp = [...path, verb];
  if (id === undefined) return p.report(vp, { problem: 'not a broker id', got: raw, expected: 'a number, or broker N' });
  if (verb === 'addBroker') {
    if (env.brokers.includes(id)) return p.report(vp, { problem: `broker ${id} is already in the cluster`, got: raw, expected: 'a new broker id' });
    if (env.brokers.length >= LIMITS.brokers) return p.report(vp, { problem: `more than ${LIMITS.brokers} brokers (kafkasim's limit)`, got: raw });
    env.brokers.push(id);
    return { atUs: t.atUs, verb, id, text: `add broker ${id}` };
  }
  if (!env.brokers.includes(id)) return p.report(vp, { problem: `no broker ${id}`, got: raw, expected: `one of the brokers ${env.brokers.join(', ')}` });
  return { atUs: t.atUs, verb, id, text: `unregister broker ${id}` };
}

/** `reassign: { TOPIC-N: [replicas], ... }` with an optional `throttle` (bytes/s). */
function reassignFault(path: Path, t: Timed, env: Env, p: Problems): FaultSpec | undefined {
  const targets: Array<{ tp: string; replicas: number[] }> = [];
  for (const [tp, replicas] of Object.entries(t.raw.reassign!)) {
    const m = /^(.+)-(\d+)$/.exec(tp);
    if (m === null || !env.topics.has(m[1]!)) return p.report([...path, 'reassign', tp], { problem: 'no such partition', got: tp, expected: 'TOPIC-N of a topic of the scenario' });
    const unknown = replicas.find((b) => !env.brokers.includes(b));
    if (unknown !== undefined) return p.report([...path, 'reassign', tp], { problem: `no broker ${unknown}`, got: replicas, expected: `brokers of ${env.brokers.join(', ')} (or added before)` });
    targets.push({ tp, replicas: [...replicas] });
  }
  if (targets.length === 0) return p.report([...path, 'reassign'], { problem: 'no partition to reassign', expected: '{ TOPIC-N: [broker, ...] }' });
  // -1 is kafka-reassign-partitions' default for --throttle: no throttle.
  const throttle = t.raw.throttle === undefined || t.raw.throttle === -1 ? undefined : p.unit([...path, 'throttle'], t.raw.throttle, parseBandwidth);
  const list = targets.map((x) => `${x.tp} → [${x.replicas.join(',')}]`).join(', ');
  const text = `reassign ${list}${throttle !== undefined ? ` (throttle ${Math.round(throttle)} B/s)` : ''}`;
  return { atUs: t.atUs, verb: 'reassign', targets, ...(throttle !== undefined ? { throttleBytesPerSec: throttle } : {}), text };
}
