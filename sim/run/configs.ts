/** Typed reads of a resolved Kafka config map (values are already converted and defaulted by the scenario parser). */
import type { ConfigMap } from '../scenario/types.js';

export const num = (c: ConfigMap, k: string): number => c[k] as number;
export const bool = (c: ConfigMap, k: string): boolean => c[k] === true;
