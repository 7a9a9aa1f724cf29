/** Normalization of `cluster:`: Kafka version and behaviour, broker ids, racks, network and disks. */
import type { z } from 'zod';
import { KAFKA_VERSION_DEFAULT, kafkaVersions, PROFILES, type Behaviour } from '../config/config.js';
import { BANDWIDTH_EXPECTED, parseBandwidth, parseBytes, parseDurationUs } from '../config/units.js';
import type { BrokerId, ConfigMap, DiskSpec, LatencySpec, NetworkSpec } from './types.js';
import { DEFAULT_NETWORK } from './names.js';
import type { NetworkSchema, RawDisk } from './schema.js';
import type { Path, Problems } from './problems.js';
import { type Env, brokerIdOf, checkBroker, checkClient } from './targets.js';
import { positive } from './fields.js';

export function normVersion(raw: string | number | undefined, p: Problems): string {
  if (raw === undefined) return KAFKA_VERSION_DEFAULT;
  const v = String(raw);
  if (Object.hasOwn(PROFILES, v)) return v;
  const quoted = kafkaVersions()
    .map((k) => `"${k}"`)
    .join(', ');
  // An unquoted 0.10 or 3.10 is the YAML number 0.1 or 3.1: say so rather than "unknown version 0.1".
  const hint = typeof raw === 'number' ? 'write the version in quotes: a YAML number loses trailing zeros' : undefined;
  p.report(['cluster', 'kafkaVersion'], { problem: 'unknown Kafka version', got: raw, expected: `one of ${quoted}`, hint });
  return KAFKA_VERSION_DEFAULT;
}

/** Configs that only mean something under one controller, and an ELR switch the version lacks. */
export function checkBehaviourConfig(b: Behaviour, raw: Record<string, unknown>, p: Problems): void {
  const path = (k: string): Path => ['cluster', 'config', k];
  const only = (k: string, controller: Behaviour['controller']) => {
    if (raw[k] !== undefined && b.controller !== controller) {
      p.report(path(k), { problem: `only applies with behaviour.controller: ${controller} (this cluster's controller is ${b.controller})`, got: raw[k] });
    }
  };
  only('zookeeper.session.timeout.ms', 'zookeeper');
  only('broker.session.timeout.ms', 'kraft');
  only('broker.heartbeat.interval.ms', 'kraft');
  const elr = raw['eligible.leader.replicas.version'];
  if (elr !== undefined && !b.eligibleLeaderReplicas && elr !== 0 && elr !== false && elr !== '0' && elr !== 'false') {
    p.report(path('eligible.leader.replicas.version'), {
      problem: 'this Kafka version has no Eligible Leader Replicas (KIP-966 arrived in 4.0)',
      got: elr,
      hint: 'use kafkaVersion "4.1", or set cluster.behaviour.eligibleLeaderReplicas: true',
    });
  }
}

/** GroupCoordinatorConfig's checks of the KIP-848 group configs (a broker with other values does not start). */
export function checkConsumerGroupConfig(c: ConfigMap, p: Problems): void {
  const v = (k: string) => c[`group.consumer.${k}`] as number;
  const rules: Array<[string, boolean, string]> = [
    ['max.heartbeat.interval.ms', v('max.heartbeat.interval.ms') >= v('min.heartbeat.interval.ms'), 'greater than or equal to group.consumer.min.heartbeat.interval.ms'],
    ['heartbeat.interval.ms', v('heartbeat.interval.ms') >= v('min.heartbeat.interval.ms'), 'greater than or equal to group.consumer.min.heartbeat.interval.ms'],
    ['heartbeat.interval.ms', v('heartbeat.interval.ms') <= v('max.heartbeat.interval.ms'), 'less than or equal to group.consumer.max.heartbeat.interval.ms'],
    ['max.session.timeout.ms', v('max.session.timeout.ms') >= v('min.session.timeout.ms'), 'greater than or equal to group.consumer.min.session.timeout.ms'],
    ['session.timeout.ms', v('session.timeout.ms') >= v('min.session.timeout.ms'), 'greater than or equal to group.consumer.min.session.timeout.ms'],
    ['session.timeout.ms', v('session.timeout.ms') <= v('max.session.timeout.ms'), 'less than or equal to group.consumer.max.session.timeout.ms'],
    ['heartbeat.interval.ms', v('heartbeat.interval.ms') < v('session.timeout.ms'), 'less than group.consumer.session.timeout.ms'],
  ];
  for (const [k, ok, must] of rules) if (!ok) p.report(['cluster', 'config', `group.consumer.${k}`], { problem: `must be ${must}`, got: v(k) });
}

export function normBrokers(raw: number | number[], p: Problems): BrokerId[] {
  if (typeof raw === 'number') return Array.from({ length: raw }, (_, i) => i + 1);
  raw.forEach((id, i) => {
    if (raw.indexOf(id) !== i) p.report(['cluster', 'brokers', i], { problem: 'duplicate broker id', got: id });
  });
  return [...new Set(raw)];
}

/**
 * Each broker's broker.rack, by broker id: from `cluster.racks` (one per broker, in the order of
 * `brokers`), or `cluster.config.broker.rack` for every broker. Empty: no racks.
 */
export function normRacks(raw: Array<string | number> | undefined, brokers: BrokerId[], config: ConfigMap, p: Problems): Record<string, string> {
  const out: Record<string, string> = {};
  const all = String(config['broker.rack'] ?? '');
  if (raw === undefined) {
    if (all === '') return out;
    if (/\s/.test(all)) p.report(['cluster', 'config', 'broker.rack'], { problem: 'a rack name without spaces (faults name it as "rack NAME")', got: all });
    for (const b of brokers) out[String(b)] = all;
    return out;
  }
  if (all !== '') {
    p.report(['cluster', 'racks'], {
      problem: 'racks given twice: cluster.racks and cluster.config.broker.rack',
      expected: 'one of them: racks for one rack per broker, broker.rack for the same rack on every broker',
    });
  }
  if (raw.length !== brokers.length) {
    p.report(['cluster', 'racks'], {
      problem: `${raw.length} racks for ${brokers.length} brokers`,
      got: raw,
      expected: `one rack per broker, in the order of cluster.brokers (${brokers.join(', ')})`,
    });
    return out;
  }
  brokers.forEach((b, i) => {
    out[String(b)] = String(raw[i]);
  });
  return out;
}

/** Rack name → its brokers, in broker order. */
export function brokersByRack(racks: Record<string, string>, brokers: BrokerId[]): Map<string, BrokerId[]> {
  const out = new Map<string, BrokerId[]>();
  for (const b of brokers) {
    const r = racks[String(b)];
    if (r === undefined) continue;
    const list = out.get(r) ?? [];
    list.push(b);
    out.set(r, list);
  }
  return out;
}

function latencyOf(path: Path, latency: unknown, jitter: unknown, base: LatencySpec, p: Problems): LatencySpec {
  return {
    baseUs: p.unit([...path, 'latency'], latency, parseDurationUs) ?? base.baseUs,
    jitterMeanUs: p.unit([...path, 'jitter'], jitter, parseDurationUs) ?? base.jitterMeanUs,
  };
}

export function normNetwork(raw: z.infer<typeof NetworkSchema> | undefined, env: Env, p: Problems): NetworkSpec {
  const path: Path = ['cluster', 'network'];
  const latency = latencyOf(path, raw?.latency, raw?.jitter, DEFAULT_NETWORK.latency, p);
  const loss = lossOf([...path, 'loss'], raw?.loss, p);
  const nic = positive([...path, 'bandwidth'], p.unit([...path, 'bandwidth'], raw?.bandwidth, parseBandwidth), raw?.bandwidth, BANDWIDTH_EXPECTED, p);
  const links: NetworkSpec['links'] = [];
  (raw?.links ?? []).forEach((l, i) => {
    const lp = [...path, 'links', i];
    const from = nodeName([...lp, 'from'], l.from, env, p);
    const to = nodeName([...lp, 'to'], l.to, env, p);
    if (from !== undefined && from === to) p.report([...lp, 'to'], { problem: 'a link needs two different nodes', got: l.to });
    const lat = latencyOf(lp, l.latency, l.jitter, latency, p);
    const linkLoss = l.loss === undefined ? loss : lossOf([...lp, 'loss'], l.loss, p);
    if (from === undefined || to === undefined) return;
    links.push({ from, to, latency: lat, loss: linkLoss });
    if (!l.oneWay) links.push({ from: to, to: from, latency: lat, loss: linkLoss });
  });
  return { latency, nicBytesPerSec: nic ?? DEFAULT_NETWORK.nicBytesPerSec, links, loss };
}

const LOSS_EXPECTED = 'a probability from 0 to below 1 (0.01) or a percentage below 100% (1%)';

/** A packet loss probability: 0.01 or "1%"; 1 or more would mean no packet ever gets through. */
function lossOf(path: Path, raw: number | string | undefined, p: Problems): number {
  if (raw === undefined) return DEFAULT_NETWORK.loss;
  const m = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(raw) : null;
  const v = typeof raw === 'number' ? raw : m !== null ? Number(m[1]) / 100 : Number.NaN;
  if (!Number.isFinite(v) || v < 0) {
    p.report(path, { problem: 'not a packet loss', got: raw, expected: LOSS_EXPECTED });
    return 0;
  }
  if (v >= 1) {
    p.report(path, { problem: 'a link that loses every packet delivers nothing (cut it with a partition fault instead)', got: raw, expected: LOSS_EXPECTED });
    return 0;
  }
  return v;
}

/** A trace node name: "b1", "ctl", "p:NAME", "c:NAME". */
function nodeName(path: Path, raw: string | number, env: Env, p: Problems): string | undefined {
  const text = String(raw).trim();
  if (/^(controller|ctl)$/i.test(text)) return 'ctl';
  const client = /^(?:(producer|consumer) +|(p|c):)(.+)$/i.exec(text);
  if (client) {
    const kind = (client[1] ?? client[2]!).toLowerCase().startsWith('p') ? 'producer' : 'consumer';
    const t = checkClient(path, kind, client[3]!.trim(), text, env, p);
    return t && `${kind[0]}:${t.name}`;
  }
  const id = brokerIdOf(text);
  if (id !== undefined) return checkBroker(path, id, text, env, p) ? `b${id}` : undefined;
  return p.report(path, { expected: 'a node: bN, broker N, controller, producer NAME or consumer NAME', got: raw });
}

export function normDisk(path: Path, raw: RawDisk | undefined, p: Problems): Partial<DiskSpec> {
  if (!raw) return {};
  const out: Partial<DiskSpec> = {};
  const bw = (k: 'writeThroughput' | 'readThroughput') => positive([...path, k], p.unit([...path, k], raw[k], parseBandwidth), raw[k], BANDWIDTH_EXPECTED, p);
  const set = <K extends keyof DiskSpec>(k: K, v: DiskSpec[K] | undefined) => v !== undefined && (out[k] = v);
  set('writeBytesPerSec', bw('writeThroughput'));
  set('readBytesPerSec', bw('readThroughput'));
  set('writeLatencyUs', p.unit([...path, 'writeLatency'], raw.writeLatency, parseDurationUs));
  set('dirtyBytesMax', p.unit([...path, 'dirtyMax'], raw.dirtyMax, parseBytes));
  set('pageCacheBytes', p.unit([...path, 'pageCache'], raw.pageCache, parseBytes));
  set('dirtyExpireUs', p.unit([...path, 'dirtyExpire'], raw.dirtyExpire, parseDurationUs));
  return out;
}

export function normBrokerDisks(raw: Record<string, RawDisk> | undefined, env: Env, p: Problems): Record<string, Partial<DiskSpec>> {
  const out: Record<string, Partial<DiskSpec>> = {};
  for (const [key, disk] of Object.entries(raw ?? {})) {
    const path: Path = ['cluster', 'disks', key];
    const id = brokerIdOf(key);
    if (id === undefined) {
      p.report(path, { problem: 'not a broker', got: key, expected: 'a broker id such as "2", b2 or "broker 2"' });
      continue;
    }
    if (!checkBroker(path, id, key, env, p)) continue;
    if (out[String(id)]) p.report(path, { problem: `broker ${id} has two disk overrides`, got: key });
    out[String(id)] = normDisk(path, disk, p);
  }
  return out;
}
