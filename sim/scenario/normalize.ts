/**
 * Normalization, the second stage of parsing: the raw file (already shaped by the schema) → the
 * {@link Scenario} the model runs. Converts units, merges Kafka configs with the version's defaults and
 * checks cross-references, reporting every problem to a {@link Problems}.
 */
import { ConfigError, resolveBehaviour, serverAssignors, logDirs, type Behaviour } from '../config/config.js';
import { DURATION_EXPECTED, parseDurationUs } from '../config/units.js';
import type { Scenario } from './types.js';
import { DEFAULT_DISK, DEFAULT_SEED } from './names.js';
import type { RawScenario } from './schema.js';
import type { Problems } from './problems.js';
import type { Env } from './targets.js';
import { normConfig, normList, positive } from './fields.js';
import { normHardware, normMachines } from './machines.js';
import { normVersion, checkBehaviourConfig, checkConsumerGroupConfig, normBrokers, normNetwork, normDisk, normBrokerDisks, normRacks, brokersByRack } from './cluster.js';
import { normTopics, normProducer, normConsumer, checkOffsetsTopic } from './workload.js';
import { healAllFault, normFaults } from './faults.js';
import { normExpect } from './expectations.js';
import { normStory } from './story.js';

/** log.dirs' directories, or one when the value is wrong (reported already). */
function safeLogDirs(value: string): string[] {
  try {
    return logDirs(value);
  } catch (e) {
    if (e instanceof ConfigError) return ['log.dir'];
    throw e;
  }
}

export function normalize(raw: RawScenario, p: Problems): Scenario {
  const version = normVersion(raw.cluster.kafkaVersion, p);
  const brokerConfig = normConfig(['cluster', 'config'], 'broker', version, raw.cluster.config, p);
  const behaviour = resolveBehaviour(version, raw.cluster.behaviour as Partial<Behaviour> | undefined);
  checkBehaviourConfig(behaviour, raw.cluster.config ?? {}, p);
  checkConsumerGroupConfig(brokerConfig, p);
  try {
    serverAssignors(brokerConfig['group.consumer.assignors'] as string);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    p.report(['cluster', 'config', 'group.consumer.assignors'], e.parts);
  }
  try {
    logDirs(brokerConfig['log.dirs'] as string);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    p.report(['cluster', 'config', 'log.dirs'], e.parts);
  }
  const brokers = normBrokers(raw.cluster.brokers, p);
  const safetyUs = positive(['duration'], p.unit(['duration'], raw.duration, parseDurationUs), raw.duration, DURATION_EXPECTED, p) ?? 0;
  const quietUs = raw.liveness === undefined ? 0 : (positive(['liveness'], p.unit(['liveness'], raw.liveness, parseDurationUs), raw.liveness, DURATION_EXPECTED, p) ?? 0);
  const durationUs = safetyUs + quietUs;
  const racks = normRacks(raw.cluster.racks, brokers, brokerConfig, p);
  const env: Env = {
    brokers,
    racks: brokersByRack(racks, brokers),
    topics: new Map(),
    producers: new Set(),
    consumers: new Set(),
    groups: new Set(),
    groupProtocols: new Map(),
    logDirs: safeLogDirs(brokerConfig['log.dirs'] as string),
  };
  const topics = normTopics(raw.topics ?? [], env, brokerConfig, p);
  const producers = normList(raw.producers ?? [], 'producers', env.producers, (r, i) => normProducer(r, i, version, env, durationUs, p), p);
  const consumers = normList(raw.consumers ?? [], 'consumers', env.consumers, (r, i) => normConsumer(r, i, version, env, durationUs, p), p).flat();
  checkOffsetsTopic(consumers, brokers, brokerConfig, p);
  const hw = normHardware(raw.cluster.hardware, p);
  const network = normNetwork(raw.cluster.network, env, p);
  if (raw.cluster.network?.bandwidth === undefined) network.nicBytesPerSec = hw.machine.nicBytesPerSec;
  const machine = { ...hw.machine, nicBytesPerSec: network.nicBytesPerSec };
  const machines = normMachines(raw.cluster.machines, machine, env, p);
  const brokerDisks = normBrokerDisks(raw.cluster.disks, env, p);
  for (const [id, m] of Object.entries(machines)) {
    if (m.disk !== undefined) brokerDisks[id] = { ...m.disk, ...brokerDisks[id] };
    delete m.disk;
  }
  const cluster = {
    brokers,
    kafkaVersion: version,
    behaviour,
    config: brokerConfig,
    network,
    disk: { ...DEFAULT_DISK, ...hw.disk, ...normDisk(['cluster', 'disk'], raw.cluster.disk, p) },
    brokerDisks,
    machine,
    machines,
    racks,
  };
  const faults = normFaults(raw.faults ?? [], env, safetyUs, p);
  if (raw.liveness !== undefined) faults.push(healAllFault(safetyUs));
  const scenario: Scenario = { name: raw.name, ...normStory(raw, p), description: raw.description ?? '', seed: raw.seed ?? DEFAULT_SEED, durationUs, cluster, topics, producers, consumers, faults };
  if (raw.expect) scenario.expect = normExpect(raw.expect, env, p);
  if (raw.liveness !== undefined) scenario.liveness = { healAtUs: safetyUs, quietUs };
  if (raw.counterexample) scenario.counterexample = { ...raw.counterexample };
  return scenario;
}
