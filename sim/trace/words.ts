/**
 * Kafka's words for what a trace records, where they depend on the Kafka generation the header names:
 * a KRaft controller fences a broker that missed heartbeats for broker.session.timeout.ms; a ZooKeeper
 * controller declares a broker dead when its ZooKeeper session expires (zookeeper.session.timeout.ms).
 * Shared by the report's timeline and the visualizer's narrative so both say the same.
 */
import { CLIENT_OUTCOMES, type HeaderEvent, type KafkaError, type TruncateEvent } from './events.js';

/** What readers need from the header (a trace read without one falls back to KRaft). */
export type ControllerKind = HeaderEvent['controller'];

/** The config that bounds a silent broker's life for this controller. */
export function sessionConfig(controller: ControllerKind): string {
  return controller === 'zookeeper' ? 'zookeeper.session.timeout.ms' : 'broker.session.timeout.ms';
}

/** A broker lost its session (fence event, reason sessionTimeout), as one line of a timeline. */
export function sessionLostWords(controller: ControllerKind, broker: number): string {
  return controller === 'zookeeper'
    ? `broker ${broker}'s ZooKeeper session expired (no ping within zookeeper.session.timeout.ms): the controller declared it dead`
    : `controller fenced broker ${broker} (no heartbeat within broker.session.timeout.ms)`;
}

/** Why a broker left the ISRs or lost its leaderships because of its session: "fenced" or "dead". */
export function fencedWord(controller: ControllerKind): string {
  return controller === 'zookeeper' ? 'declared dead, its ZooKeeper session ended' : 'fenced';
}

/** What a truncation reason means, in Kafka's terms. */
export const TRUNCATION_WORDS: Readonly<Record<TruncateEvent['reason'], string>> = {
  divergingEpoch: "its log diverged from the new leader's epoch history (leader epoch truncation)",
  highWatermark: 'a new follower cuts its log to its own high watermark (the rule before KIP-101, Kafka < 0.11)',
  leaderEndOffset: "its fetch was out of range: the leader's log ends below its own, so it cut its log to the leader's log end offset",
  powerLoss: 'records not yet flushed were lost with the page cache',
  diskFailure:
    "the disk of its log directory failed: the broker's copy of the partition is gone and the replica is offline on it (KAFKA_STORAGE_ERROR) until the disk is replaced and the broker restarts",
};

/** Short form for one-line reports: "to the high watermark". */
export const TRUNCATION_SHORT: Readonly<Record<TruncateEvent['reason'], string>> = {
  divergingEpoch: 'diverging leader epoch',
  highWatermark: 'to the high watermark',
  leaderEndOffset: "to the leader's log end offset",
  powerLoss: 'power loss',
  diskFailure: 'disk failure',
};

/** An error name as a report shows it: protocol errors as they are, client outcomes with what they are. */
export function errorWords(error: KafkaError | string): string {
  const note = CLIENT_OUTCOMES[error as KafkaError];
  return note === undefined ? error : `${error} (${note})`;
}
