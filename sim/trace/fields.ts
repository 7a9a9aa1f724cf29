/**
 * The one table of the trace's fields: for each event type, its fields after `type`, in order, with
 * their kind. Everything that reads or writes events field by field is derived from it: the trace hash
 * (hash.ts: fields in this order), the line reader's checks (reader.ts), the page's compact block codec
 * (viz/io/trace-file.ts) and EVENT_FIELDS.
 *
 * Adding an event type: its interface in events.ts (and the TraceEvent union), then its row here. The
 * table is checked against the interfaces: a missing, extra or mistyped field fails the type check.
 * The order of the fields is the hash's order: changing it changes every trace hash.
 */
import type { TraceEvent, TraceEventType } from './events.js';

/**
 * A field's kind: a number, a string, a boolean, or any other JSON value (arrays, objects). `?`: optional
 * (left out when absent, never null).
 */
export type FieldKind = 'number' | 'string' | 'boolean' | 'json' | 'number?' | 'string?' | 'boolean?' | 'json?';

/** The kind of a value of TS type T. */
type KindOf<T> = [T] extends [number] ? 'number' : [T] extends [string] ? 'string' : [T] extends [boolean] ? 'boolean' : 'json';

/** What the table's row for event E must be: each field of E but `type`, with its kind. */
export type FieldsOf<E> = {
  // biome-ignore lint/complexity/noBannedTypes: `{} extends Pick<E, P>` is how a type asks whether field P is optional
  -readonly [P in Exclude<keyof E, 'type'>]-?: {} extends Pick<E, P> ? `${KindOf<NonNullable<E[P]>>}?` : KindOf<E[P]>;
};

type EventOf<K extends TraceEventType> = Extract<TraceEvent, { type: K }>;

/** Per event type: its fields after `type`, in order (the hash's order), and their kinds. */
export const TRACE_FIELDS = {
  header: {
    t: 'number',
    schema: 'number',
    scenario: 'string',
    seed: 'number',
    kafkaVersion: 'string',
    controller: 'string',
    sessionTimeoutMs: 'number',
    truncation: 'string',
    durationUs: 'number',
    brokers: 'json',
    topics: 'json',
    producers: 'json',
    consumers: 'json',
    racks: 'json?',
  },
  fault: { t: 'number', verb: 'string', text: 'string', targets: 'json', rejected: 'string?', pending: 'string?' },
  broker: { t: 'number', broker: 'number', state: 'string', mode: 'string?', reason: 'string?' },
  disk: { t: 'number', broker: 'number', dir: 'string', state: 'string' },
  fence: { t: 'number', broker: 'number', fenced: 'boolean', reason: 'string' },
  link: { t: 'number', from: 'string', to: 'string', up: 'boolean' },
  msg: { t: 'number', id: 'number', from: 'string', to: 'string', kind: 'string', bytes: 'number', recvUs: 'number', dropped: 'string?' },
  drop: { t: 'number', id: 'number', reason: 'string' },
  held: { t: 'number', id: 'number', reason: 'string' },
  resend: { t: 'number', id: 'number', from: 'string', to: 'string', kind: 'string', bytes: 'number', recvUs: 'number' },
  election: { t: 'number', tp: 'string', leader: 'number', prevLeader: 'number', epoch: 'number', clean: 'boolean', isr: 'json', reason: 'string' },
  isr: { t: 'number', tp: 'string', isr: 'json', prev: 'json', elr: 'json', lastKnownElr: 'json', partitionEpoch: 'number', reason: 'string' },
  partitions: { t: 'number', topic: 'string', partitions: 'number', replicas: 'json', isr: 'json' },
  reassign: { t: 'number', tp: 'string', phase: 'string', replicas: 'json', adding: 'json', removing: 'json' },
  append: {
    t: 'number',
    broker: 'number',
    tp: 'string',
    offset: 'number',
    count: 'number',
    epoch: 'number',
    pid: 'number',
    seq: 'number',
    bytes: 'number',
    src: 'string',
  },
  truncate: { t: 'number', broker: 'number', tp: 'string', to: 'number', removed: 'number', reason: 'string' },
  hw: { t: 'number', broker: 'number', tp: 'string', hw: 'number' },
  flush: { t: 'number', broker: 'number', tp: 'string', to: 'number' },
  batch: { t: 'number', producer: 'string', pid: 'number', tp: 'string', seq: 'number', count: 'number', bytes: 'number', firstUs: 'number' },
  ack: { t: 'number', producer: 'string', pid: 'number', tp: 'string', seq: 'number', count: 'number', offset: 'number', error: 'string', attempts: 'number', message: 'string?' },
  retry: { t: 'number', producer: 'string', tp: 'string', seq: 'number', count: 'number', error: 'string', attempt: 'number' },
  sendError: { t: 'number', producer: 'string', topic: 'string', count: 'number', error: 'string', message: 'string' },
  keysRemapped: { t: 'number', producer: 'string', topic: 'string', partitions: 'number', keysMoved: 'number' },
  client: { t: 'number', node: 'string', state: 'string', pid: 'number?', error: 'string?' },
  metadata: { t: 'number', node: 'string', version: 'number' },
  consume: { t: 'number', consumer: 'string', tp: 'string', offset: 'number', count: 'number', epoch: 'number', pid: 'number', seq: 'number' },
  truncationDetected: { t: 'number', consumer: 'string', tp: 'string', position: 'number', truncatedTo: 'number', reset: 'string' },
  group: { t: 'number', group: 'string', coordinator: 'number', state: 'string', generation: 'number', members: 'json', leader: 'string?', protocol: 'string?', reason: 'string' },
  assignment: { t: 'number', consumer: 'string', group: 'string', memberId: 'string', generation: 'number', partitions: 'json', added: 'json', revoked: 'json', lost: 'json' },
  commit: { t: 'number', consumer: 'string', group: 'string', offsets: 'json', kind: 'string', error: 'string' },
  coordinator: { t: 'number', group: 'string', broker: 'number', tp: 'string', loaded: 'boolean', offsets: 'number' },
  position: { t: 'number', consumer: 'string', tp: 'string', offset: 'number', from: 'string' },
  end: { t: 'number' },
} as const satisfies { [K in TraceEventType]: FieldsOf<EventOf<K>> };

// The other direction: every row's fields are its interface's (`satisfies` rejects extra keys only in
// a literal; this keeps it so if the table is ever built another way).
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _exact: { [K in TraceEventType]: Exact<keyof (typeof TRACE_FIELDS)[K], Exclude<keyof EventOf<K>, 'type'>> } = mapTypes(() => true as const);
void _exact;

function mapTypes<V>(f: (type: TraceEventType) => V): { [K in TraceEventType]: V } {
  const out = {} as { [K in TraceEventType]: V };
  for (const type of Object.keys(TRACE_FIELDS) as TraceEventType[]) out[type] = f(type);
  return out;
}

/**
 * Optional fields added after traces were hashed: when absent they add nothing to the hash (other
 * absent optional fields count as absent), so the traces without them keep their hashes.
 */
export const HASH_SILENT_WHEN_ABSENT: { readonly [K in TraceEventType]?: readonly string[] } = { header: ['racks'], broker: ['reason'] };

/** One field of an event type, as the derived code reads it. */
export interface FieldSpec {
  name: string;
  kind: 'number' | 'string' | 'boolean' | 'json';
  optional: boolean;
}

/** The event types, in table order. */
export const TRACE_EVENT_TYPES = Object.keys(TRACE_FIELDS) as TraceEventType[];

/** Per event type: its fields after `type`, in order. */
export const FIELD_SPECS: { readonly [K in TraceEventType]: readonly FieldSpec[] } = mapTypes((type) =>
  Object.entries(TRACE_FIELDS[type] as Record<string, FieldKind>).map(([name, k]) => ({
    name,
    kind: k.replace('?', '') as FieldSpec['kind'],
    optional: k.endsWith('?'),
  })),
);

/**
 * The fields of each event type, `type` first, in order (the hash's order). A test checks that every
 * emitted event has exactly these keys.
 */
export const EVENT_FIELDS: { readonly [K in TraceEventType]: readonly string[] } = mapTypes((type) => ['type', ...FIELD_SPECS[type].map((f) => f.name)]);

/** Whether `type` names an event type. */
export function isTraceEventType(type: unknown): type is TraceEventType {
  return typeof type === 'string' && Object.hasOwn(TRACE_FIELDS, type);
}
