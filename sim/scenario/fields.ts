/** Normalization helpers several parts use: Kafka config maps with defaults, lists of uniquely named entries, positive numbers. */
import { ConfigError, convertConfigValue, resolveConfig, type ConfigGroup } from '../config/config.js';
import type { ConfigMap } from './types.js';
import type { Path, Problems } from './problems.js';

/**
 * A config map with defaults. Each key is converted on its own so every bad key is reported; Kafka's
 * cross-key rules (producer idempotence) are checked once the keys are fine. `topic` keeps only overrides.
 */
export function normConfig(path: Path, group: ConfigGroup, version: string, raw: Record<string, unknown> | undefined, p: Problems): ConfigMap {
  const overrides = raw ?? {};
  const converted: ConfigMap = {};
  let ok = true;
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    try {
      converted[k] = convertConfigValue(group, k, v);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      p.report([...path, k], e.parts);
      ok = false;
    }
  }
  if (group === 'topic') return converted;
  if (!ok) return resolveConfig(group, version, {});
  try {
    return resolveConfig(group, version, converted);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    p.report([...path, e.key], e.parts);
    return resolveConfig(group, version, {});
  }
}

/** Applies `norm` to each entry and checks names are unique; `names` collects them for later references. */
export function normList<R extends { name: string }, T>(raws: R[], key: string, names: Set<string>, norm: (r: R, i: number) => T | undefined, p: Problems): T[] {
  const out: T[] = [];
  raws.forEach((r, i) => {
    if (names.has(r.name)) p.report([key, i, 'name'], { problem: `duplicate ${key.replace(/s$/, '')} name`, got: r.name, expected: 'a name not used before in this list' });
    names.add(r.name);
    const t = norm(r, i);
    if (t !== undefined) out.push(t);
  });
  return out;
}

export function positive(path: Path, value: number | undefined, raw: unknown, expected: string, p: Problems): number | undefined {
  if (value === 0) return p.report(path, { problem: 'must be above 0', got: raw, expected });
  return value;
}
