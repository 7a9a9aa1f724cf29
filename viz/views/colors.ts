import type { BrokerState, RecordState } from '../derive/frames.js';
import type { NarrativeKind } from '../derive/narrative.js';

export const BROKER_COLORS: Record<BrokerState, string> = {
  up: '#3a9d5d',
  fenced: '#e69f00',
  paused: '#8e6bbf',
  crashed: '#d1495b',
  stopped: '#8a8a8a',
  shuttingDown: '#c9a227',
};

export const RECORD_COLORS: Record<RecordState, string> = {
  leaderOnly: '#f28e2b',
  partial: '#f9c08f',
  replicated: '#f6cf5f',
  committed: '#9ecae1',
  acked: '#2f6fb0',
  follower: '#d4d4d4',
  followerCommitted: '#a9c7df',
};

export const RECORD_LABELS: Record<RecordState, string> = {
  leaderOnly: 'only on the leader',
  partial: 'on some followers, not all the ISR',
  replicated: 'on every ISR replica, above HW',
  committed: 'committed (below HW)',
  acked: 'committed and acknowledged',
  follower: 'follower copy above its HW',
  followerCommitted: 'follower copy below its HW',
};

export const MSG_COLORS: Record<string, string> = {
  Produce: '#f28e2b',
  ProduceResponse: '#f7b87a',
  Fetch: '#4e79a7',
  FetchResponse: '#76a5d6',
  BrokerHeartbeat: '#9c9c9c',
  BrokerHeartbeatResponse: '#c4c4c4',
  Metadata: '#b07aa1',
  MetadataResponse: '#d0a8c4',
  MetadataFetch: '#b07aa1',
  MetadataFetchResponse: '#d0a8c4',
  AlterPartition: '#e15759',
  AlterPartitionResponse: '#f09a9b',
  BrokerRegistration: '#59a14f',
  BrokerRegistrationResponse: '#8cd17d',
};

export const KIND_COLORS: Record<NarrativeKind, string> = {
  fault: '#d1495b',
  broker: '#a05195',
  fence: '#e69f00',
  election: '#2f6fb0',
  isr: '#3a9d5d',
  truncate: '#8b0000',
  client: '#777',
  error: '#c05000',
  group: '#0f7b8a',
  end: '#333',
};
