/**
 * A parsed scenario with its faults replaced: what a failure search runs. The faults are written as in a
 * file's `faults:` list and normalized by the same code as a file's, so the scenario file that carries
 * them (a counterexample) replays the same run, byte for byte.
 */
import { Document, LineCounter } from 'yaml';
import { z } from 'zod';
import type { Scenario } from './types.js';
import { FaultSchema, type RawFault } from './schema.js';
import { Problems, scenarioError, translateIssue, zodMessage } from './problems.js';
import type { Env } from './targets.js';
import { brokersByRack } from './cluster.js';
import { healAllFault, normFaults } from './faults.js';
import { logDirs } from '../config/config.js';

const FaultList = z.array(FaultSchema);

/** What the scenario's names refer to, as normalization saw them. */
function envOf(s: Scenario): Env {
  return {
    brokers: [...s.cluster.brokers],
    racks: brokersByRack(s.cluster.racks, s.cluster.brokers),
    topics: new Map(s.topics.map((t) => [t.name, { partitions: t.partitions, rf: t.replicationFactor }])),
    producers: new Set(s.producers.map((p) => p.name)),
    consumers: new Set(s.consumers.map((c) => c.name)),
    groups: new Set(s.consumers.flatMap((c) => (c.group === undefined ? [] : [c.group]))),
    groupProtocols: new Map(s.consumers.flatMap((c) => (c.group === undefined ? [] : [[c.group, String(c.config['group.protocol'] ?? 'classic')] as const]))),
    logDirs: logDirs(s.cluster.config['log.dirs'] as string),
  };
}

/**
 * `base` with `faults` (entries as a scenario file's `faults:` list has them) instead of its own, and
 * without its `expect:` block (written for its own faults). With a liveness phase (`liveness:`), the
 * faults fall before it and it still ends them by healing everything.
 * @throws ScenarioError when a fault is invalid (`source` names it in the message).
 */
export function withFaults(base: Scenario, faults: readonly RawFault[], source = '<faults>'): Scenario {
  const problems = new Problems();
  const parsed = FaultList.safeParse(faults, { error: zodMessage });
  const fail = () => scenarioError(source, problems, new Document({ faults }), new LineCounter());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) translateIssue(issue, faults, ['faults'], problems);
    throw fail();
  }
  // With a liveness phase, the faults belong to the safety phase before it, which ends healing everything.
  const safetyUs = base.liveness?.healAtUs ?? base.durationUs;
  const normalized = normFaults(parsed.data, envOf(base), safetyUs, problems);
  if (problems.found.length > 0) throw fail();
  if (base.liveness) normalized.push(healAllFault(safetyUs));
  const { expect: _expect, ...rest } = base;
  return { ...rest, faults: normalized };
}
