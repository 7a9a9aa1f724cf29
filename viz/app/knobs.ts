/**
 * The main knobs of a scenario, by Kafka's names (plus `brokers` and the producers' `rate`), applied
 * to the scenario's YAML text so the run stays a plain scenario: what the page runs is what Export
 * YAML writes and what the CLI would run. Knob values live in the URL, so a link reproduces the run.
 */
import { isMap, isSeq, parseDocument, type Document } from 'yaml';

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
