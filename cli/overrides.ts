/**
 * Command-line what-ifs (`--config`, `--topic-config`, `--producer-property`, `--consumer-property`,
 * `--set`), applied to the raw scenario object before validation so the same checks and "did you mean"
 * messages apply as for the file itself. Pure: no I/O.
 */
import { parse as parseYaml } from 'yaml';
import { suggest } from '../sim/index.js';

/** A malformed override (exit code 2). */
export class OverrideError extends Error {}

export interface Overrides {
  /** `path=value` generic overrides (`duration=30s`, `topics.0.partitions=6`). */
  set: string[];
  /** `key=value` broker configs (cluster.config). */
  config: string[];
  /** `topic:key=value` topic configs; topic `*` = every topic. */
  topicConfig: string[];
  /** `key=value` configs of every producer. */
  producerProperty: string[];
  /** `key=value` configs of every consumer. */
  consumerProperty: string[];
}

export const NO_OVERRIDES: Overrides = { set: [], config: [], topicConfig: [], producerProperty: [], consumerProperty: [] };

export function hasOverrides(o: Overrides): boolean {
  return o.set.length + o.config.length + o.topicConfig.length + o.producerProperty.length + o.consumerProperty.length > 0;
}

/** The flags, in the order they are applied, for a reproduce command. */
export function overrideFlags(o: Overrides): string[] {
  return [
    ...o.set.flatMap((v) => ['--set', v]),
    ...o.config.flatMap((v) => ['--config', v]),
    ...o.topicConfig.flatMap((v) => ['--topic-config', v]),
    ...o.producerProperty.flatMap((v) => ['--producer-property', v]),
    ...o.consumerProperty.flatMap((v) => ['--consumer-property', v]),
  ];
}

/**
 * A command-line value as a scenario value: whole/decimal numbers written canonically become numbers
 * (`6`, `0.5`; but `4.0` and `007` stay strings, so `--set cluster.kafkaVersion=4.0` means "4.0"),
 * `true`/`false` booleans, `null` null, `[...]`/`{...}` YAML flow collections; anything else a string.
 */
export function parseValue(text: string): unknown {
  const s = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(s) && String(Number(s)) === s) return Number(s);
  if (s === 'true' || s === 'false') return s === 'true';
  if (s === 'null') return null;
  if (s.startsWith('[') || s.startsWith('{')) {
    try {
      return parseYaml(s) as unknown;
    } catch (e) {
      throw new OverrideError(`not a valid YAML ${s.startsWith('[') ? 'list' : 'mapping'}: ${s} (${(e as Error).message.split('\n')[0]})`);
    }
  }
  return text;
}

function splitKeyValue(flag: string, text: string, what = 'KEY=VALUE'): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw new OverrideError(`${flag} expects ${what} (got "${text}")`);
  return [text.slice(0, i).trim(), text.slice(i + 1)];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function objAt(parent: Obj, key: string, where: string): Obj {
  const v = parent[key];
  if (v === undefined || v === null) return (parent[key] = {});
  if (!isObj(v)) throw new OverrideError(`${where} is not a mapping in the scenario (got ${JSON.stringify(v)})`);
  return v;
}

function listAt(root: Obj, key: string, flag: string): Obj[] {
  const v = root[key];
  if (!Array.isArray(v) || v.length === 0) throw new OverrideError(`${flag}: the scenario has no ${key}`);
  return v.map((x, i) => {
    if (!isObj(x)) throw new OverrideError(`${flag}: ${key}[${i}] is not a mapping`);
    return x;
  });
}

/** Splits a --set path: `a.b[0].c` → a, b, 0, c. */
function pathSegments(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '');
}

/** Keys of the scenario format that contain a dot. */
const DOTTED_KEYS = ['replication.factor'];

/** Where an override wrote: the flag as given and the path in the raw scenario (`producers`, 0, `config`, `acks`). */
export interface AppliedOverride {
  flag: string;
  path: (string | number)[];
}

/**
 * Sets one `--set` path and returns the path it resolved to. Config maps take the rest of the path as one
 * (dotted) Kafka config name; a list entry may be named by index or by its `name`.
 */
function setPath(root: Obj, text: string): (string | number)[] {
  const resolved: (string | number)[] = [];
  const [path, rawValue] = splitKeyValue('--set', text, 'PATH=VALUE');
  const segs = pathSegments(path);
  if (segs.length === 0) throw new OverrideError(`--set expects PATH=VALUE (got "${text}")`);
  const value = parseValue(rawValue);
  let cur: unknown = root;
  let where = '';
  for (let i = 0; i < segs.length; i++) {
    let seg = segs[i]!;
    const rest = segs.slice(i).join('.');
    // A config map's keys are Kafka names with dots; so are a few keys of the format itself.
    const prev = segs[i - 1];
    if (prev === 'config' && isObj(cur)) seg = rest;
    else if (isObj(cur)) {
      const dotted = [...Object.keys(cur), ...DOTTED_KEYS].filter((k) => k.includes('.') && (rest === k || rest.startsWith(`${k}.`))).sort((a, b) => b.length - a.length)[0];
      if (dotted) seg = dotted;
    }
    const consumed = seg.split('.').length;
    const last = i + consumed >= segs.length;
    const here = where ? `${where}.${seg}` : seg;
    if (Array.isArray(cur)) {
      let idx: number;
      if (/^\d+$/.test(seg)) {
        idx = Number(seg);
        if (idx > cur.length) throw new OverrideError(`--set ${text}: ${where} has ${cur.length} entries, so no index ${idx}`);
      } else {
        idx = cur.findIndex((x) => isObj(x) && x.name === seg);
        if (idx < 0) {
          const names = cur.filter(isObj).map((x) => String(x.name));
          const close = suggest(seg, names);
          throw new OverrideError(`--set ${text}: ${where} has no entry named "${seg}"${close ? `; did you mean "${close}"?` : names.length > 0 ? `; names: ${names.join(', ')}` : ''}`);
        }
      }
      resolved.push(idx);
      if (last) cur[idx] = value;
      else {
        if (cur[idx] === undefined || cur[idx] === null) cur[idx] = {};
        if (cur[idx] === null || typeof cur[idx] !== 'object') throw new OverrideError(`--set ${text}: ${here} is not a mapping or list (got ${JSON.stringify(cur[idx])})`);
        cur = cur[idx];
      }
    } else if (isObj(cur)) {
      resolved.push(seg);
      if (last) cur[seg] = value;
      else {
        if (cur[seg] === undefined || cur[seg] === null) cur[seg] = {};
        const next = cur[seg];
        if (next === null || typeof next !== 'object') throw new OverrideError(`--set ${text}: ${here} is not a mapping or list (got ${JSON.stringify(next)})`);
        cur = next;
      }
    }
    where = here;
    i += consumed - 1;
  }
  return resolved;
}

/**
 * Applies the overrides to a raw (parsed, not yet validated) scenario object, in place: --set first, then
 * broker configs, topic configs, producer and consumer properties (so the specific flags win).
 */
export function applyOverrides(raw: unknown, o: Overrides): AppliedOverride[] {
  const applied: AppliedOverride[] = [];
  if (!isObj(raw)) return applied; // parseScenario reports what is wrong with the file itself
  for (const s of o.set) applied.push({ flag: `--set ${s}`, path: setPath(raw, s) });
  for (const s of o.config) {
    const [k, v] = splitKeyValue('--config', s);
    objAt(objAt(raw, 'cluster', 'cluster'), 'config', 'cluster.config')[k] = parseValue(v);
    applied.push({ flag: `--config ${s}`, path: ['cluster', 'config', k] });
  }
  for (const s of o.topicConfig) {
    const colon = s.indexOf(':');
    if (colon <= 0) throw new OverrideError(`--topic-config expects TOPIC:KEY=VALUE, or *:KEY=VALUE for every topic (got "${s}")`);
    const topic = s.slice(0, colon).trim();
    const [k, v] = splitKeyValue('--topic-config', s.slice(colon + 1), 'TOPIC:KEY=VALUE');
    const topics = listAt(raw, 'topics', '--topic-config');
    const chosen = topic === '*' ? topics : topics.filter((t) => t.name === topic);
    if (chosen.length === 0) {
      const names = topics.map((t) => String(t.name));
      const close = suggest(topic, names);
      throw new OverrideError(`--topic-config ${s}: unknown topic "${topic}"${close ? `; did you mean "${close}"?` : `; topics: ${names.join(', ')}`}`);
    }
    for (const t of chosen) {
      objAt(t, 'config', `topics.${String(t.name)}.config`)[k] = parseValue(v);
      applied.push({ flag: `--topic-config ${s}`, path: ['topics', topics.indexOf(t), 'config', k] });
    }
  }
  for (const [flag, key, values] of [
    ['--producer-property', 'producers', o.producerProperty],
    ['--consumer-property', 'consumers', o.consumerProperty],
  ] as const) {
    for (const s of values) {
      const [k, v] = splitKeyValue(flag, s);
      listAt(raw, key, flag).forEach((c, i) => {
        objAt(c, 'config', `${key}.${String(c.name)}.config`)[k] = parseValue(v);
        applied.push({ flag: `${flag} ${s}`, path: [key, i, 'config', k] });
      });
    }
  }
  return applied;
}

/** Formats a raw path the way scenario errors do: `producers[0].config.acks`. */
export function formatRawPath(path: (string | number)[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** The last override that wrote at or above a problem's path (scenario-error path syntax), if any. */
export function blame(problemPath: string, applied: AppliedOverride[]): string | undefined {
  for (let i = applied.length - 1; i >= 0; i--) {
    const p = formatRawPath(applied[i]!.path);
    if (problemPath === p || problemPath.startsWith(`${p}.`) || problemPath.startsWith(`${p}[`)) return applied[i]!.flag;
  }
  return undefined;
}
