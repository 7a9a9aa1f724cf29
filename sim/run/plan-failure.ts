/**
 * `kafkasim plan --sweep failure=none,broker-down,disk-failure,rebalance,reassignment`: the same scenario planned as it
 * is and under a failure or an operation, added to its `faults:` list as a scenario file writes them (so
 * `kafkasim run` of the point's text replays the same run, and the simulator has no special case):
 *
 * - `none`: the scenario as it is.
 * - `broker-down`: its last broker is shut down at 0 s, after the topics were created on every broker, and
 *   stays down for the whole run. A controlled shutdown, not a crash: a crashed broker keeps its
 *   leaderships until the controller fences it (broker.session.timeout.ms, 9 s), which is a failover, not
 *   the capacity of one broker fewer; the shutdown moves them at once, and the run measures the cluster
 *   with one broker gone, under-replicated, from the start.
 * - `disk-failure`: the last log directory of the last broker fails at a third of the run (`failDisk`), and
 *   the operator replaces its disk at two thirds (`replaceDisk`). With several log directories the broker
 *   keeps serving its other disks (KIP-112); with one, or when the failed one holds its metadata log
 *   (KRaft's `metadata.log.dir`), it halts until the replacement, and its leaders move only when the
 *   controller fences it (or its ZooKeeper session expires): the run must give the controller that time
 *   before the replacement, or the broker would start again on its empty disk still registered as the
 *   leader of partitions whose data were elsewhere.
 * - `rebalance`: the last member of the first consumer group leaves the group (a clean shutdown: LeaveGroup)
 *   at a third of the run and joins it again at two thirds: two rebalances.
 * - `reassignment`: a new broker (the highest id + 1) joins at 0 s, hosting nothing, and at a third of the
 *   run kafka-reassign-partitions moves every topic of the scenario to a round-robin assignment over all
 *   the brokers, the new one included (partition p: brokers p, p + 1, ... of the list), unthrottled (the
 *   tool's default): the copies compete with the produce traffic on the NICs and disks.
 */
import { isSeq, parseDocument } from 'yaml';
import { logDirs, metadataLogDirIndex } from '../config/config.js';
import { parseScenario, ScenarioError } from '../scenario/parse.js';
import type { Scenario } from '../scenario/types.js';

/** A `failure` value the scenario cannot take (rebalance without a consumer group): a one-line error. */
export class PlanSettingError extends Error {}

export const FAILURES = ['none', 'broker-down', 'disk-failure', 'rebalance', 'reassignment'] as const;
export type Failure = (typeof FAILURES)[number];

/** Why a `failure` value is wrong (undefined: right). */
export function failureProblem(v: string): string | undefined {
  return (FAILURES as readonly string[]).includes(v) ? undefined : `one of ${FAILURES.join(', ')}`;
}

/** A time as a scenario writes it, in whole milliseconds. */
const atMs = (us: number) => `${Math.round(us / 1000)}ms`;

/** The faults that make `failure` happen in `s` (entries as a file's `faults:` list has them). */
export function failureFaults(s: Scenario, failure: Failure): Array<Record<string, unknown>> {
  const third = s.durationUs / 3;
  switch (failure) {
    case 'none':
      return [];
    case 'broker-down':
      if (s.cluster.brokers.length < 2) throw new PlanSettingError('--sweep failure=broker-down: the scenario has one broker; with it down there is no cluster');
      return [{ at: '0s', shutdown: String(s.cluster.brokers[s.cluster.brokers.length - 1]) }];
    case 'disk-failure':
      return diskFailureFaults(s);
    case 'rebalance': {
      const group = s.consumers.find((c) => c.group !== undefined)?.group;
      const member = [...s.consumers].reverse().find((c) => group !== undefined && c.group === group);
      if (!member) throw new PlanSettingError('--sweep failure=rebalance: no consumer of the scenario has a group.id; a rebalance needs a consumer group');
      return [
        { at: atMs(third), shutdown: `consumer ${member.name}` },
        { at: atMs(2 * third), restart: `consumer ${member.name}` },
      ];
    }
    case 'reassignment': {
      const added = Math.max(...s.cluster.brokers) + 1;
      const all = [...s.cluster.brokers, added];
      const target: Record<string, number[]> = {};
      for (const t of s.topics) {
        if (t.replicationFactor > all.length) continue;
        for (let p = 0; p < t.partitions; p++) target[`${t.name}-${p}`] = Array.from({ length: t.replicationFactor }, (_, i) => all[(p + i) % all.length]!);
      }
      return [
        { at: '0s', addBroker: added },
        { at: atMs(third), reassign: target },
      ];
    }
  }
}

/**
 * `disk-failure`'s faults: the last broker's last log directory fails at a third of the run and is replaced
 * at two thirds. When the failure halts the broker (its only directory, or the one of its KRaft metadata
 * log), the two thirds must come after the controller declares it dead: a one-line error otherwise.
 */
function diskFailureFaults(s: Scenario): Array<Record<string, unknown>> {
  const broker = String(s.cluster.brokers[s.cluster.brokers.length - 1]);
  const config = s.cluster.config;
  const dirs = logDirs(String(config['log.dirs'] ?? ''));
  const dir = dirs.length > 1 ? { dir: dirs[dirs.length - 1]! } : {};
  const kraft = s.cluster.behaviour.controller === 'kraft';
  const halts = dirs.length === 1 || (kraft && metadataLogDirIndex(String(config['log.dirs'] ?? ''), String(config['metadata.log.dir'] ?? '')) === dirs.length - 1);
  const timeout = kraft ? 'broker.session.timeout.ms' : 'zookeeper.session.timeout.ms';
  const timeoutMs = Number(config[timeout]);
  if (halts && s.durationUs / 3 <= timeoutMs * 1000) {
    const why = dirs.length === 1 ? 'with its only log directory failed' : 'with its metadata log directory failed';
    throw new PlanSettingError(
      `--sweep failure=disk-failure: broker ${broker} halts ${why}, and the disk is replaced a third of the run (${Math.round(s.durationUs / 3000)} ms) later, before the controller declares it dead (${timeout}, ${timeoutMs} ms): give the run a duration of at least ${Math.floor((3 * timeoutMs) / 1000) + 1} s, or the brokers several log directories (logDirs=2)`,
    );
  }
  return [
    { at: atMs(s.durationUs / 3), failDisk: broker, ...dir },
    { at: atMs((2 * s.durationUs) / 3), replaceDisk: broker, ...dir },
  ];
}

/** The scenario text with `failure`'s faults after its own. */
export function applyFailure(text: string, failure: Failure): string {
  if (failure === 'none') return text;
  let scenario: Scenario;
  try {
    scenario = parseScenario(text, '<plan point>');
  } catch (e) {
    // The point's text is not a valid scenario: its own parse reports why, naming the file.
    if (e instanceof ScenarioError) return text;
    throw e;
  }
  const faults = failureFaults(scenario, failure);
  const doc = parseDocument(text);
  const own = doc.get('faults');
  const n = isSeq(own) ? own.items.length : 0;
  if (n === 0) doc.set('faults', doc.createNode(faults));
  else faults.forEach((f, i) => doc.setIn(['faults', n + i], doc.createNode(f, { flow: true })));
  return doc.toString();
}
