/** Typed reads of a resolved Kafka config map (values are already converted and defaulted by the scenario parser). */
import type { ConfigMap } from '../scenario/types.js';

/**
 * A number config. An integer comes back as a small integer (V8's Smi) even when the parser produced it
 * as a double: copied into the model's objects (requests, deadlines), a double would make their fields
 * double fields, which allocate a box per object.
 */
export const num = (c: ConfigMap, k: string): number => {
  const v = c[k] as number;
  return (v | 0) === v ? v | 0 : v;
};
export const bool = (c: ConfigMap, k: string): boolean => c[k] === true;
