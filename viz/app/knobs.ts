/**
 * The main knobs of a scenario, by Kafka's names (plus `brokers` and the producers' `rate`), applied
 * to the scenario's YAML text so the run stays a plain scenario: what the page runs is what Export
 * YAML writes and what the CLI would run. Knob values live in the URL, so a link reproduces the run.
 */
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { effectiveTopicConfig, type Scenario } from '../../sim/index.js';

export const KNOBS = ['brokers', 'replication.factor', 'acks', 'min.insync.replicas', 'unclean.leader.election.enable', 'replica.lag.time.max.ms', 'rate'] as const;
export type Knob = (typeof KNOBS)[number];
export type Knobs = Partial<Record<Knob, string>>;

/** `acks=1, min.insync.replicas=2` → knobs; unknown names are an error naming the valid ones. */
export function parseKnobs(text: string): Knobs {
  const out: Knobs = {};
  for (const part of text.split(/[,;\s]+/).filter((p) => p !== '')) {
    const m = /^([\w.]+)=(.+)$/.exec(part);
    if (m === null) throw new Error(`setting "${part}": expected name=value`);
    const name = m[1] as Knob;
    if (!KNOBS.includes(name)) throw new Error(`setting "${m[1]}": not a knob (expected one of ${KNOBS.join(', ')})`);
    out[name] = m[2];
  }
  return out;
}

export function formatKnobs(k: Knobs): string {
  return KNOBS.filter((n) => k[n] !== undefined && k[n] !== '')
    .map((n) => `${n}=${k[n]}`)
    .join(', ');
}

function value(v: string): string | number | boolean {
  if (/^-?\d+$/.test(v)) return Number(v);
  if (v === 'true' || v === 'false') return v === 'true';
  return v;
}

function count(doc: Document, key: string): number {
  const n = doc.get(key);
  return isSeq(n) ? n.items.length : 0;
}

/** The scenario text with the knobs applied (a knob left empty keeps the scenario's own value). */
export function applyKnobs(text: string, knobs: Knobs): string {
  const doc = parseDocument(text);
  for (const name of KNOBS) {
    const raw = knobs[name];
    if (raw === undefined || raw.trim() === '') continue;
    const v = value(raw.trim());
    switch (name) {
      case 'brokers':
        doc.setIn(['cluster', 'brokers'], v);
        break;
      case 'replication.factor':
        for (let i = 0; i < count(doc, 'topics'); i++) {
          doc.setIn(['topics', i, 'replication.factor'], v);
          // An explicit assignment fixes the replication factor: drop it so the placer places anew.
          doc.deleteIn(['topics', i, 'replicas']);
        }
        break;
      case 'acks':
        for (let i = 0; i < count(doc, 'producers'); i++) doc.setIn(['producers', i, 'config', 'acks'], v);
        break;
      case 'rate':
        for (let i = 0; i < count(doc, 'producers'); i++) doc.setIn(['producers', i, 'rate'], /^\d+$/.test(raw.trim()) ? `${raw.trim()}/s` : v);
        break;
      default:
        // Broker configs; a topic that overrides the same config gets the knob's value too.
        doc.setIn(['cluster', 'config', name], v);
        for (let i = 0; i < count(doc, 'topics'); i++) {
          const cfg = doc.getIn(['topics', i, 'config']);
          if (isMap(cfg) && cfg.has(name)) doc.setIn(['topics', i, 'config', name], v);
        }
    }
  }
  return doc.toString();
}

/** The scenario's own values of the knobs (for placeholders): the first topic's and producer's. */
export function currentKnobs(text: string): Knobs {
  const doc = parseDocument(text);
  const s = (x: unknown): string | undefined => (x === undefined || x === null ? undefined : String(x));
  const brokers = doc.getIn(['cluster', 'brokers']);
  const cfg = (k: string) => s(doc.getIn(['topics', 0, 'config', k])) ?? s(doc.getIn(['cluster', 'config', k]));
  return {
    brokers: isSeq(brokers) ? String(brokers.items.length) : s(brokers),
    'replication.factor': s(doc.getIn(['topics', 0, 'replication.factor'])),
    acks: s(doc.getIn(['producers', 0, 'config', 'acks'])),
    'min.insync.replicas': cfg('min.insync.replicas'),
    'unclean.leader.election.enable': cfg('unclean.leader.election.enable'),
    'replica.lag.time.max.ms': cfg('replica.lag.time.max.ms'),
    rate: s(doc.getIn(['producers', 0, 'rate'])),
  };
}

/** A knob's value in force in a run: set by the scenario (or a knob), or the Kafka version's default. */
export interface KnobInForce {
  value: string;
  from: 'scenario' | 'default';
}

/** The knobs' values in force in a scenario, and the Kafka version whose defaults fill the rest. */
export interface SettingsInForce {
  kafkaVersion: string;
  knobs: Partial<Record<Knob, KnobInForce>>;
}

/**
 * What a run really uses for each knob: the scenario's own value where its text sets one (as written),
 * else the value the simulator resolved from the version profile's defaults (`cluster.kafkaVersion`,
 * docs/profiles.md): unclean.leader.election.enable is true by default on 0.10 and false on 4.1.
 * `scenario` is `text` parsed (sim's parseScenario); the first topic's and producer's values are shown.
 */
export function settingsInForce(text: string, scenario: Scenario): SettingsInForce {
  const own = currentKnobs(text);
  const topic = scenario.topics[0];
  const producer = scenario.producers[0];
  const topicCfg = topic ? effectiveTopicConfig(scenario.cluster.config, topic.config) : scenario.cluster.config;
  const resolved: Record<Knob, unknown> = {
    brokers: scenario.cluster.brokers.length,
    'replication.factor': topic?.replicationFactor,
    acks: producer ? acksName(producer.config.acks) : undefined,
    'min.insync.replicas': topicCfg['min.insync.replicas'],
    'unclean.leader.election.enable': topicCfg['unclean.leader.election.enable'],
    'replica.lag.time.max.ms': scenario.cluster.config['replica.lag.time.max.ms'],
    rate: producer ? `${producer.ratePerSec}/s` : undefined,
  };
  const knobs: SettingsInForce['knobs'] = {};
  for (const k of KNOBS) {
    if (own[k] !== undefined) knobs[k] = { value: own[k], from: 'scenario' };
    else if (resolved[k] !== undefined) knobs[k] = { value: String(resolved[k]), from: 'default' };
  }
  return { kafkaVersion: scenario.cluster.kafkaVersion, knobs };
}

/** acks as a user writes it: -1 is "all". */
function acksName(v: unknown): string | undefined {
  return v === undefined ? undefined : v === -1 || v === '-1' ? 'all' : String(v);
}
