/**
 * What a scenario teaches: its one-line title, the question it answers with a short answer, and what to
 * compare it with (another scenario, or the same one with a setting changed). None of it changes the run.
 *
 * `compare.set` names settings as the page's B settings do: a Kafka producer, broker or topic config by
 * its name, or `brokers`, `replication.factor`, `kafkaVersion`. {@link applySettings} writes them into a
 * scenario's text, so what B runs is a plain scenario file.
 */
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { ConfigError, configEntry, convertConfigValue, kafkaVersions, type ConfigGroup } from '../config/config.js';
import { MAX_BROKERS, SCENARIO_SETTINGS, SETTING_EXPECTED } from './names.js';
import type { Problems } from './problems.js';
import type { RawScenario } from './schema.js';
import type { ScenarioCompare, SettingValue } from './types.js';

/** Where a config setting goes: the producers' configs, the brokers' (and topics' overrides of it), or every topic's. */
function configGroup(name: string): ConfigGroup | undefined {
  return (['producer', 'broker', 'topic', 'consumer'] as const).find((g) => configEntry(g, name) !== undefined);
}

/** Whether `name` can be set by {@link applySettings}. */
export function isSetting(name: string): boolean {
  return (SCENARIO_SETTINGS as readonly string[]).includes(name) || configGroup(name) !== undefined;
}

/** Why `value` is not a valid value of setting `name`, or undefined. */
export function settingProblem(name: string, value: unknown): string | undefined {
  if (name === 'kafkaVersion') return kafkaVersions().includes(String(value)) ? undefined : `one of ${kafkaVersions().join(', ')}`;
  if (name === 'brokers' || name === 'replication.factor') {
    const n = Number(value);
    return Number.isInteger(n) && n >= 1 && n <= MAX_BROKERS ? undefined : `a whole number 1..${MAX_BROKERS}`;
  }
  const group = configGroup(name);
  if (group === undefined) return SETTING_EXPECTED;
  try {
    convertConfigValue(group, name, value);
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) return e.parts.expected ?? e.message;
    throw e;
  }
}

/** The scenario's title, question, answer and compare, checked: a question needs its answer and the reverse. */
export function normStory(raw: RawScenario, p: Problems): { title: string; question?: string; answer?: string; compare?: ScenarioCompare } {
  const out: { title: string; question?: string; answer?: string; compare?: ScenarioCompare } = { title: raw.title ?? raw.name };
  if (raw.question !== undefined) out.question = raw.question;
  if (raw.answer !== undefined) out.answer = raw.answer;
  if ((raw.question === undefined) !== (raw.answer === undefined)) {
    const missing = raw.question === undefined ? 'question' : 'answer';
    p.report([missing === 'question' ? 'answer' : 'question'], { problem: `needs ${missing === 'question' ? 'a question' : 'an answer'} beside it`, expected: 'question and answer together' });
  }
  const c = raw.compare;
  if (c === undefined) return out;
  if ((c.with === undefined) === (c.set === undefined)) {
    p.report(['compare'], { problem: 'needs exactly one of with and set', expected: '{with: NAME} (another scenario) or {set: {SETTING: VALUE}}' });
    return out;
  }
  if (c.with !== undefined) out.compare = { with: c.with };
  else {
    const set: Record<string, SettingValue> = {};
    for (const [k, v] of Object.entries(c.set ?? {})) {
      const problem = isSetting(k) ? settingProblem(k, v) : undefined;
      if (!isSetting(k)) p.report(['compare', 'set', k], { problem: 'unknown setting', got: k, expected: SETTING_EXPECTED });
      else if (problem !== undefined) p.report(['compare', 'set', k], { got: v, expected: problem });
      else set[k] = v;
    }
    if (Object.keys(c.set ?? {}).length === 0) p.report(['compare', 'set'], { problem: 'is empty', expected: 'at least one setting' });
    out.compare = { set };
  }
  return out;
}

function count(doc: Document, key: string): number {
  const n = doc.get(key);
  return isSeq(n) ? n.items.length : 0;
}

function typed(v: SettingValue): SettingValue {
  if (typeof v !== 'string') return v;
  if (/^-?\d+$/.test(v)) return Number(v);
  return v === 'true' || v === 'false' ? v === 'true' : v;
}

/**
 * The scenario text with settings applied: a producer (consumer) config to every producer (consumer), a broker config to the
 * cluster (and to each topic that overrides it), a topic-only config to every topic; `brokers`,
 * `replication.factor` (dropping explicit assignments) and `kafkaVersion` where they live.
 */
export function applySettings(text: string, settings: Readonly<Record<string, SettingValue>>): string {
  const doc = parseDocument(text);
  for (const [name, raw] of Object.entries(settings)) {
    const v = name === 'kafkaVersion' ? String(raw) : typed(raw);
    if (name === 'brokers') doc.setIn(['cluster', 'brokers'], v);
    else if (name === 'kafkaVersion') doc.setIn(['cluster', 'kafkaVersion'], v);
    else if (name === 'replication.factor') {
      for (let i = 0; i < count(doc, 'topics'); i++) {
        doc.setIn(['topics', i, 'replication.factor'], v);
        doc.deleteIn(['topics', i, 'replicas']);
      }
    } else if (configGroup(name) === 'producer') {
      for (let i = 0; i < count(doc, 'producers'); i++) doc.setIn(['producers', i, 'config', name], v);
    } else if (configGroup(name) === 'broker') {
      doc.setIn(['cluster', 'config', name], v);
      for (let i = 0; i < count(doc, 'topics'); i++) {
        const cfg = doc.getIn(['topics', i, 'config']);
        if (isMap(cfg) && cfg.has(name)) doc.setIn(['topics', i, 'config', name], v);
      }
    } else if (configGroup(name) === 'topic') {
      for (let i = 0; i < count(doc, 'topics'); i++) doc.setIn(['topics', i, 'config', name], v);
    } else if (configGroup(name) === 'consumer') {
      for (let i = 0; i < count(doc, 'consumers'); i++) doc.setIn(['consumers', i, 'config', name], v);
    } else throw new Error(`setting "${name}": expected ${SETTING_EXPECTED}`);
  }
  return doc.toString();
}

/** The scenario's own value of a setting (the first producer's or topic's where there are several), as text. */
export function settingValue(text: string, name: string): string | undefined {
  const doc = parseDocument(text);
  const s = (x: unknown): string | undefined => (x === undefined || x === null ? undefined : String(x));
  if (name === 'brokers') {
    const b = doc.getIn(['cluster', 'brokers']);
    return isSeq(b) ? String(b.items.length) : s(b);
  }
  if (name === 'kafkaVersion') return s(doc.getIn(['cluster', 'kafkaVersion']));
  if (name === 'replication.factor') return s(doc.getIn(['topics', 0, 'replication.factor']));
  const group = configGroup(name);
  if (group === 'producer') return s(doc.getIn(['producers', 0, 'config', name]));
  if (group === 'consumer') return s(doc.getIn(['consumers', 0, 'config', name]));
  return s(doc.getIn(['topics', 0, 'config', name])) ?? (group === 'broker' ? s(doc.getIn(['cluster', 'config', name])) : undefined);
}
