/**
 * B's settings (compare mode): the page's knobs and every setting a scenario's `compare.set` may name (a
 * Kafka producer, broker or topic config, brokers, replication.factor, kafkaVersion), written into the
 * scenario's text so B is a plain scenario too.
 */
import { applySettings, isSetting, settingValue } from '../../sim/index.js';
import { applyKnobs, currentKnobs, KNOBS, type Knob } from './knobs.js';

export type Settings = Record<string, string>;

const isKnob = (name: string): name is Knob => (KNOBS as readonly string[]).includes(name);

/** `acks=1, enable.idempotence=true` → settings; an unknown name is an error. `x=""` is the empty value. */
export function parseSettings(text: string): Settings {
  const out: Settings = {};
  for (const part of text.split(/[,;\s]+/).filter((p) => p !== '')) {
    const m = /^([\w.]+)=(.+)$/.exec(part);
    if (m === null) throw new Error(`setting "${part}": expected name=value`);
    const name = m[1]!;
    if (!isKnob(name) && !isSetting(name)) throw new Error(`setting "${name}": expected one of ${KNOBS.join(', ')}, or any Kafka producer, broker or topic config, or kafkaVersion`);
    out[name] = m[2] === '""' ? '' : m[2]!;
  }
  return out;
}

const shown = (v: string): string => (v === '' ? '""' : v);

export function formatSettings(s: Readonly<Settings>): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}=${shown(v)}`)
    .join(', ');
}

/** The settings of a scenario's `compare.set`, as B's settings. */
export function settingsOf(set: Readonly<Record<string, string | number | boolean>>): Settings {
  return Object.fromEntries(Object.entries(set).map(([k, v]) => [k, String(v)]));
}

/** The scenario text with the settings applied (the producers' `rate` as the knob does it). */
export function applyCompareSettings(text: string, s: Readonly<Settings>): string {
  const { rate, ...rest } = s;
  const withRate = rate === undefined ? text : applyKnobs(text, { rate });
  return Object.keys(rest).length === 0 ? withRate : applySettings(withRate, rest);
}

/** The scenario's own value of a setting (for A's title), or "default". */
export function ownSetting(text: string, name: string): string {
  const v = name === 'rate' ? currentKnobs(text).rate : settingValue(text, name);
  return v === undefined ? 'default' : shown(v);
}
