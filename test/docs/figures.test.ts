/**
 * Every figure the README and docs state about a run is produced by that run and checked here, so a change
 * of behaviour cannot leave a false sentence behind.
 *
 * CLAIMS holds one row per figure (or group of figures in one phrase): the doc, the text as it appears there
 * (whitespace collapsed: a phrase may wrap across lines), the run(s) it is about (scenario path and seed:
 * the scenario's own unless the text names another) and `render`, which writes the same text from the
 * run's summary. The test checks that the doc still contains the text and that the run still renders it.
 * After a change of behaviour: fix the sentence in the doc and the row here together.
 *
 * A guard keeps new figures from escaping: each number in the comment after a `npx kafkasim run` line (in
 * every doc) and in a bold phrase of docs/questions.md (where bold is the answer's outcome) must lie inside
 * some claim's text. Figures in running prose are not guarded: there they sit among config values and
 * fault times (`cut off at 5 s`, `RF 3`, `1,000 records/s`) that no rule tells apart without false alarms.
 *
 * Performance figures (frames per second, load times, events per second) are the benchmarks' business,
 * not runs of a scenario, and are not here. Each (scenario, seed, override) runs once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ArraySink, parseScenario, type RunSummary, type Scenario, simulate, type TraceEvent, TRUNCATION_SHORT, TRUNCATION_WORDS } from '../../sim/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A run: a scenario file, a seed (the file's own when absent) and an optional what-if. */
interface RunRef {
  path: string;
  seed?: number;
  /** `path` is a doc, and the scenario is the text its example passes to parseScenario. */
  example?: boolean;
  /** A what-if applied to the file's parsed YAML before the run, and the CLI flags that do the same. */
  edit?: { flags: string; apply: (raw: Record<string, unknown>) => void };
}

interface Claim {
  doc: string;
  /** The text as it appears in the doc (whitespace collapsed). */
  text: string;
  runs: RunRef[];
  /** The text the runs give, with the doc's formatting. */
  render: (...s: RunSummary[]) => string;
  /** The runs keep their trace, for `eventsOf` in render. */
  trace?: boolean;
}

// --- formatting as the docs do -------------------------------------------------------------------------

/** 47499 → "47,499". */
const n = (x: number): string => x.toLocaleString('en-US');
/** 6946.8 ms → "6.9 s". */
const s1 = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
/** 33000.6 ms → "33 s". */
const s0 = (ms: number): string => `${Math.round(ms / 1000)} s`;
/** 8.031 ms → "8 ms". */
const msr = (ms: number): string => `${Math.round(ms)} ms`;
const err = (s: RunSummary, name: string): number => s.errors[name] ?? 0;
/** Records each broker truncated, by broker id. */
const tbb = (s: RunSummary): Record<string, number> => s.truncatedByBroker ?? {};
const cleanWord = (clean: boolean): string => (clean ? 'clean' : 'unclean');

/** Time of the first timeline item of a kind whose text matches. */
function at(s: RunSummary, kind: string, re: RegExp): number {
  const item = s.timeline.find((t) => t.kind === kind && re.test(t.text));
  return item ? item.atMs : Number.NaN;
}
/** Capture groups of the first timeline item of a kind whose text matches. */
function match(s: RunSummary, kind: string, re: RegExp): string[] {
  for (const t of s.timeline) {
    const m = t.kind === kind ? re.exec(t.text) : null;
    if (m) return m.slice(1);
  }
  return [];
}

// --- the claims ------------------------------------------------------------------------------------------

/** A consumer group of the run (the first, or the one named). */
function grp(s: RunSummary, name?: string): RunSummary['groups'][number] {
  const g = name === undefined ? s.groups[0] : s.groups.find((x) => x.group === name);
  if (g === undefined) throw new Error(`no group ${name ?? ''} in ${s.scenario}`);
  return g;
}
/** Records sent that the group never received. */
const neverRead = (s: RunSummary): number => s.records.sent - (s.records.consumed - s.records.redelivered);
/** The last offset the run's first redelivered range ends at. */
const maxRedelivered = (s: RunSummary): number => Number(/\.\.(\d+)/.exec(s.redelivered[0]?.offsets ?? '')?.[1] ?? Number.NaN);

const Q = 'scenarios/questions/';
const C = 'scenarios/catalog/';
const q = (name: string, seed?: number): RunRef[] => [{ path: `${Q}${name}.yaml`, seed }];
const c = (name: string): RunRef[] => [{ path: `${C}${name}.yaml` }];
/** `--producer-property k=v`: a config on every producer. */
function producerProperty(key: string, value: string | number): RunRef['edit'] {
  return {
    flags: `--producer-property ${key}=${value}`,
    apply: (raw) => {
      for (const p of raw.producers as { config?: Record<string, unknown> }[]) p.config = { ...p.config, [key]: value };
    },
  };
}
/** The cluster's min.insync.replicas set to `n` (as `compare: { set: { min.insync.replicas: n } }` does). */
function clusterMinIsr(n: number): RunRef['edit'] {
  return {
    flags: `--set cluster.config.min.insync.replicas=${n}`,
    apply: (raw) => void ((raw.cluster as { config: Record<string, unknown> }).config['min.insync.replicas'] = n),
  };
}
/** The network's default latency (0.5 ms plus jitter) instead of the file's. */
const DEFAULT_LATENCY: RunRef['edit'] = {
  flags: '--set cluster.network.latency=0.5ms',
  apply: (raw) => {
    const network = (raw.cluster as { network?: { latency?: unknown } }).network;
    if (network) delete network.latency;
  },
};

/** `--set cluster.kafkaVersion=4.1`: the file's cluster on Kafka 4.1 (its profile's defaults and behaviour). */
const KAFKA_4_1: NonNullable<RunRef['edit']> = {
  flags: '--set cluster.kafkaVersion=4.1',
  apply: (raw) => void ((raw.cluster as Record<string, unknown>).kafkaVersion = '4.1'),
};

/** One of the kip848-vs-classic scenarios: the KIP-848 one, or its classic `eager` / `cooperative` twin. */
const K848 = (variant?: 'eager' | 'cooperative'): RunRef[] => [{ path: `scenarios/kip848-vs-classic${variant ? `-${variant}` : ''}.yaml` }];
/** `--until 19s`: the run stops before the first fault (the file cut to 19 s, without what comes later). */
const UNTIL_19S: RunRef['edit'] = {
  flags: '--until 19s',
  apply: (raw) => {
    raw.duration = '19s';
    raw.faults = [];
    raw.consumers = (raw.consumers as Array<{ start?: string }>).filter((c) => c.start === undefined);
    delete raw.expect;
  },
};

/** The `# comment` after `npx kafkasim run <file>` in a doc's code block (whitespace collapsed). */
const cmd = (file: string, comment: string): string => `${file}.yaml # ${comment}`;

const QD = 'docs/questions.md';
const FD = 'docs/failures.md';
const VD = 'docs/visualizer.md';

const CLAIMS: Claim[] = [
  {
    doc: QD,
    text: "The numbers below are from the files' own seed (1, 2): 1 in every file but question 18's, which use 2",
    runs: [],
    render: () => {
      const files = readdirSync(`${ROOT}${Q}`);
      const seeds = new Set(files.map((f) => scenarioOf(`${Q}${f}`).seed));
      const others = files.filter((f) => scenarioOf(`${Q}${f}`).seed !== 1);
      const questions = [...new Set(others.map((f) => Number(/^q(\d+)/.exec(f)?.[1])))].join(', ');
      const otherSeeds = [...new Set(others.map((f) => scenarioOf(`${Q}${f}`).seed))].join(', ');
      return `The numbers below are from the files' own seed (${[...seeds].join(', ')}): 1 in every file but question ${questions}'s, which use ${otherSeeds}`;
    },
  },
  // q3
  {
    doc: QD,
    text: 'the followers are cut off at 5 s and leave the ISR at 15 s; the leader loses power at 25 s',
    runs: q('q03-acks-all-lost-data-min-isr-1'),
    render: (s) =>
      `the followers are cut off at ${s0(at(s, 'fault', /^partition /))} and leave the ISR at ${s0(at(s, 'isr', /\(shrink\)/))}; the leader loses power at ${s0(at(s, 'broker', /power loss/))}`,
  },
  { doc: QD, text: '**5,000 acknowledged records lost**', runs: q('q03-acks-all-lost-data-min-isr-1'), render: (s) => `**${n(s.records.lostAcked)} acknowledged records lost**` },
  {
    doc: QD,
    text: cmd('q03-acks-all-lost-data-min-isr-1', 'lostAcked 5000'),
    runs: q('q03-acks-all-lost-data-min-isr-1'),
    render: (s) => cmd('q03-acks-all-lost-data-min-isr-1', `lostAcked ${s.records.lostAcked}`),
  },
  {
    doc: QD,
    text: 'one was elected cleanly: **0 lost**, 11,999 acknowledged',
    runs: q('q03-acks-all-lost-data-min-isr-2'),
    render: (s) => `one was elected ${s.elections[0]?.clean ? 'cleanly' : 'uncleanly'}: **${n(s.records.lostAcked)} lost**, ${n(s.records.acked)} acknowledged`,
  },
  {
    doc: QD,
    text: cmd('q03-acks-all-lost-data-min-isr-2', 'lostAcked 0'),
    runs: q('q03-acks-all-lost-data-min-isr-2'),
    render: (s) => cmd('q03-acks-all-lost-data-min-isr-2', `lostAcked ${s.records.lostAcked}`),
  },
  // q4
  {
    doc: QD,
    text: 'the broker holding orders-0 dies at 10 s: orders-0 goes offline for good',
    runs: q('q04-broker-died-cannot-send-rf-1'),
    render: (s) => {
      const last = s.elections.filter((e) => e.partition === 'orders-0').at(-1);
      return `the broker holding orders-0 dies at ${s0(at(s, 'fault', /^crash /))}: orders-0 goes ${last?.leader === -1 ? 'offline for good' : `offline until ${s0(last?.atMs ?? 0)}`}`;
    },
  },
  {
    doc: QD,
    text: '`TimeoutException: Expiring 4 record(s) for orders-0:20000 ms has passed since batch creation`',
    runs: q('q04-broker-died-cannot-send-rf-1'),
    trace: true,
    render: (s) => {
      const first = eventsOf(s).find((e) => e.type === 'ack' && e.error === 'TimeoutException');
      return first?.type === 'ack' ? `\`${first.error}: ${first.message}\`` : 'no TimeoutException';
    },
  },
  {
    doc: QD,
    text: '**2,941 failed (41 batches expired with TimeoutException)**, while orders-1 and orders-2 keep working (13,130 acknowledged)',
    runs: q('q04-broker-died-cannot-send-rf-1'),
    render: (s) =>
      `**${n(s.records.failed)} failed (${err(s, 'TimeoutException')} batches expired with TimeoutException)**, while orders-1 and orders-2 keep working (${n(s.records.acked)} acknowledged)`,
  },
  {
    doc: QD,
    text: cmd('q04-broker-died-cannot-send-rf-1', 'failed 2941'),
    runs: q('q04-broker-died-cannot-send-rf-1'),
    render: (s) => cmd('q04-broker-died-cannot-send-rf-1', `failed ${s.records.failed}`),
  },
  {
    doc: QD,
    text: 'a follower is elected about 7 s after the crash: **0 failed, 0 lost**, produce p99 6.5 s during the failover',
    runs: q('q04-broker-died-cannot-send-rf-3'),
    render: (s) =>
      `a follower is elected about ${s0((s.elections[0]?.atMs ?? 0) - at(s, 'fault', /^crash /))} after the crash: **${s.records.failed} failed, ${s.records.lostAcked} lost**, produce p99 ${s1(s.latencyMs.produce.p99)} during the failover`,
  },
  {
    doc: QD,
    text: 'with RF 3 the ISRs shrink to 2 and never expand',
    runs: q('q04-broker-died-cannot-send-rf-3'),
    render: (s) => `with RF 3 the ISRs shrink to 2 and ${s.isrExpands === 0 ? 'never expand' : `expand ${s.isrExpands} times`}`,
  },
  {
    doc: QD,
    text: cmd('q04-broker-died-cannot-send-rf-3', 'failed 0, clean election'),
    runs: q('q04-broker-died-cannot-send-rf-3'),
    render: (s) => cmd('q04-broker-died-cannot-send-rf-3', `failed ${s.records.failed}, ${s.elections.map((e) => cleanWord(e.clean)).join(', ')} election`),
  },
  // q6
  {
    doc: QD,
    text: 'RF 2 gives **70 NOT_ENOUGH_REPLICAS** (retried; produce p99 10.5 s)',
    runs: q('q06-not-enough-replicas-rolling-restart-rf-2'),
    render: (s) => `RF 2 gives **${err(s, 'NOT_ENOUGH_REPLICAS')} NOT_ENOUGH_REPLICAS** (retried; produce p99 ${s1(s.latencyMs.produce.p99)})`,
  },
  {
    doc: QD,
    text: 'RF 3 gives **0** (p99 8 ms)',
    runs: q('q06-not-enough-replicas-rolling-restart-rf-3'),
    render: (s) => `RF 3 gives **${err(s, 'NOT_ENOUGH_REPLICAS')}** (p99 ${msr(s.latencyMs.produce.p99)})`,
  },
  ...['rf-2', 'rf-3'].map(
    (v): Claim => ({
      doc: QD,
      text: 'Nothing is lost or fails in either',
      runs: q(`q06-not-enough-replicas-rolling-restart-${v}`),
      render: (s) => (s.records.lostAcked + s.records.failed === 0 ? 'Nothing is lost or fails in either' : `${s.records.lostAcked} lost, ${s.records.failed} failed`),
    }),
  ),
  ...['rf-2', 'rf-3'].map(
    (v): Claim => ({
      doc: QD,
      text: cmd(`q06-not-enough-replicas-rolling-restart-${v}`, `NOT_ENOUGH_REPLICAS ${v === 'rf-2' ? 70 : 0}`),
      runs: q(`q06-not-enough-replicas-rolling-restart-${v}`),
      render: (s) => cmd(`q06-not-enough-replicas-rolling-restart-${v}`, `NOT_ENOUGH_REPLICAS ${err(s, 'NOT_ENOUGH_REPLICAS')}`),
    }),
  ),
  // q7
  {
    doc: QD,
    text: '**122 records reordered** (and 0 duplicated, 0 lost)',
    runs: q('q07-retries-reorder-idempotence-off'),
    render: (s) => `**${s.records.reordered} records reordered** (and ${s.records.duplicated} duplicated, ${s.records.lostAcked} lost)`,
  },
  {
    doc: QD,
    text: cmd('q07-retries-reorder-idempotence-off', 'reordered 122'),
    runs: q('q07-retries-reorder-idempotence-off'),
    render: (s) => cmd('q07-retries-reorder-idempotence-off', `reordered ${s.records.reordered}`),
  },
  {
    doc: QD,
    text: 'through. Kafka 3.9 (both files): a follower restarts',
    runs: [],
    render: () => {
      const versions = new Set(['off', 'on'].map((v) => scenarioOf(`${Q}q07-retries-reorder-idempotence-${v}.yaml`).cluster.kafkaVersion));
      return `through. Kafka ${[...versions].join(' and ')} (both files): a follower restarts`;
    },
  },
  {
    doc: QD,
    text: 'On Kafka 4.x the same setup reorders nothing (`--set cluster.kafkaVersion=4.1`: **0 reordered** without idempotence)',
    runs: [{ path: `${Q}q07-retries-reorder-idempotence-off.yaml`, edit: KAFKA_4_1 }],
    render: (s) =>
      `On Kafka 4.x the same setup ${s.records.reordered === 0 ? 'reorders nothing' : 'still reorders'} (\`${KAFKA_4_1.flags}\`: **${s.records.reordered} reordered** without idempotence)`,
  },
  { doc: QD, text: '**0 reordered, 0 duplicated**', runs: q('q07-retries-reorder-idempotence-on'), render: (s) => `**${s.records.reordered} reordered, ${s.records.duplicated} duplicated**` },
  {
    doc: QD,
    text: cmd('q07-retries-reorder-idempotence-on', 'reordered 0'),
    runs: q('q07-retries-reorder-idempotence-on'),
    render: (s) => cmd('q07-retries-reorder-idempotence-on', `reordered ${s.records.reordered}`),
  },
  // q8
  ...['linger-100', 'linger-0'].map(
    (v): Claim => ({
      doc: QD,
      text: 'The producer process is killed at 10 s',
      runs: q(`q08-producer-crash-${v}`),
      render: (s) => `The producer process is killed at ${s0(at(s, 'fault', /^crash producer /))}`,
    }),
  ),
  {
    doc: QD,
    text: '**70 records fail** (PRODUCER_CRASHED, the simulator',
    runs: q('q08-producer-crash-linger-100'),
    render: (s) => `**${s.records.failed} records fail** (PRODUCER_CRASHED, the simulator`,
  },
  {
    doc: QD,
    text: '**3 fail** (in flight, never acknowledged; 2 of them were written anyway)',
    runs: q('q08-producer-crash-linger-0'),
    render: (s) => `**${s.records.failed} fail** (in flight, never acknowledged; ${s.records.consumed - s.records.acked} of them were written anyway)`,
  },
  {
    doc: QD,
    text: '**0 fail** (9,500 sent, 9,500 acknowledged)',
    runs: q('q08-producer-crash-flushed'),
    render: (s) => `**${s.records.failed} fail** (${n(s.records.sent)} sent, ${n(s.records.acked)} acknowledged)`,
  },
  ...(
    [
      ['linger-100', 70],
      ['linger-0', 3],
      ['flushed', 0],
    ] as const
  ).map(
    ([v, failed]): Claim => ({
      doc: QD,
      text: cmd(`q08-producer-crash-${v}`, `failed ${failed}`),
      runs: q(`q08-producer-crash-${v}`),
      render: (s) => cmd(`q08-producer-crash-${v}`, `failed ${s.records.failed}`),
    }),
  ),
  // q10
  ...['on', 'off'].map(
    (v): Claim => ({
      doc: QD,
      text: 'the followers are cut off at 5 s and leave the ISR; the leader crashes at 25 s',
      runs: q(`q10-unclean-election-${v}`),
      render: (s) =>
        `the followers are cut off at ${s0(at(s, 'fault', /^partition /))} and ${Number.isNaN(at(s, 'isr', /\(shrink\)/)) ? 'stay in' : 'leave'} the ISR; the leader crashes at ${s0(at(s, 'fault', /^crash /))}`,
    }),
  ),
  {
    doc: QD,
    text: 'a stale follower is elected at 33 s: **4,000 acknowledged records lost**',
    runs: q('q10-unclean-election-on'),
    render: (s) => `a stale follower is elected at ${s0(s.elections[0]?.atMs ?? 0)}: **${n(s.records.lostAcked)} acknowledged records lost**`,
  },
  {
    doc: QD,
    text: 'the partition is offline from 33 s to 50 s (produce p99 24.3 s): **0 lost, 0 truncated, 0 failed**',
    runs: q('q10-unclean-election-off'),
    render: (s) =>
      `the partition is offline from ${s0(s.elections[0]?.atMs ?? 0)} to ${s0(s.elections[1]?.atMs ?? 0)} (produce p99 ${s1(s.latencyMs.produce.p99)}): **${s.records.lostAcked} lost, ${s.records.truncated} truncated, ${s.records.failed} failed**`,
  },
  {
    doc: QD,
    text: cmd('q10-unclean-election-on', 'lostAcked 4000, 1 unclean election'),
    runs: q('q10-unclean-election-on'),
    render: (s) => cmd('q10-unclean-election-on', `lostAcked ${s.records.lostAcked}, ${s.elections.filter((e) => !e.clean).length} unclean election`),
  },
  {
    doc: QD,
    text: cmd('q10-unclean-election-off', 'lostAcked 0, offline ~17 s'),
    runs: q('q10-unclean-election-off'),
    render: (s) => cmd('q10-unclean-election-off', `lostAcked ${s.records.lostAcked}, offline ~${s0((s.elections[1]?.atMs ?? 0) - (s.elections[0]?.atMs ?? 0))}`),
  },
  // q18
  {
    doc: QD,
    text: '**50 and 51 NOT_LEADER_OR_FOLLOWER** (without and with idempotence), **0 lost, 0 failed** either way',
    runs: [...q('q18-not-leader-or-follower-idempotence-off'), ...q('q18-not-leader-or-follower-idempotence-on')],
    render: (off, on) =>
      `**${err(off, 'NOT_LEADER_OR_FOLLOWER')} and ${err(on, 'NOT_LEADER_OR_FOLLOWER')} NOT_LEADER_OR_FOLLOWER** (without and with idempotence), **${off.records.lostAcked + on.records.lostAcked} lost, ${off.records.failed + on.records.failed} failed** either way`,
  },
  {
    doc: QD,
    text: 'the retries leave **5 duplicates and 56 reordered records**',
    runs: q('q18-not-leader-or-follower-idempotence-off'),
    render: (s) => `the retries leave **${s.records.duplicated} duplicates and ${s.records.reordered} reordered records**`,
  },
  {
    doc: QD,
    text: 'with idempotence **0**',
    runs: q('q18-not-leader-or-follower-idempotence-on'),
    render: (s) => `with idempotence **${s.records.duplicated === s.records.reordered ? s.records.duplicated : `${s.records.duplicated} duplicates and ${s.records.reordered} reordered`}**`,
  },
  ...(
    [
      ['off', 5],
      ['on', 0],
    ] as const
  ).map(
    ([v, d]): Claim => ({
      doc: QD,
      text: cmd(`q18-not-leader-or-follower-idempotence-${v}`, `duplicated ${d}`),
      runs: q(`q18-not-leader-or-follower-idempotence-${v}`),
      render: (s) => cmd(`q18-not-leader-or-follower-idempotence-${v}`, `duplicated ${s.records.duplicated}`),
    }),
  ),
  {
    doc: QD,
    text: 'with seed 1 batches are written twice (3 duplicated, 53 reordered)',
    runs: q('q18-not-leader-or-follower-idempotence-off', 1),
    render: (s) => `with seed 1 ${s.records.duplicated === 0 ? 'no batch is written twice' : 'batches are written twice'} (${s.records.duplicated} duplicated, ${s.records.reordered} reordered)`,
  },
  {
    doc: QD,
    text: 'with the default 0.5 ms, seeds 1 to 6 gave 2 duplicates between them',
    runs: [1, 2, 3, 4, 5, 6].map((seed) => ({ path: `${Q}q18-not-leader-or-follower-idempotence-off.yaml`, seed, edit: DEFAULT_LATENCY })),
    render: (...s) => {
      const dup = s.reduce((sum, x) => sum + x.records.duplicated, 0);
      return `with the default 0.5 ms, seeds 1 to ${s.length} gave ${dup === 0 ? 'no duplicate' : dup === 1 ? '1 duplicate' : `${dup} duplicates`} between them`;
    },
  },
  // q17
  {
    doc: QD,
    text: "metadata: here at 25 s, 3 s after `kafka-topics --alter --partitions 8` at 22 s (Admin CreatePartitions). From then on **488 of the 1,000 keys** map to another partition: a moved key's new updates go to another log than its old ones, and no consumer can read them in the order they were sent. Each partition keeps its own order (**0 reordered, 0 lost**). With 8 partitions from the start, **0 keys move**.",
    runs: [...q('q17-added-partitions-key-order-4-to-8'), ...q('q17-added-partitions-key-order-8-from-start')],
    render: (s, b) => {
      const added = at(s, 'partitions', /^orders: 8 partitions/);
      const learned = at(s, 'partitions', /^producer p1 sees 8 partitions/);
      return `metadata: here at ${s0(learned)}, ${s0(learned - added)} after \`kafka-topics --alter --partitions 8\` at ${s0(added)} (Admin CreatePartitions). From then on **${s.cluster!.keysMoved} of the 1,000 keys** map to another partition: a moved key's new updates go to another log than its old ones, and no consumer can read them in the order they were sent. Each partition keeps its own order (**${s.records.reordered} reordered, ${s.records.lostAcked} lost**). With 8 partitions from the start, **${b!.cluster?.keysMoved ?? 0} keys move**.`;
    },
  },
  {
    doc: QD,
    text: cmd('q17-added-partitions-key-order-4-to-8', '488 keys moved at 25 s'),
    runs: q('q17-added-partitions-key-order-4-to-8'),
    render: (s) => cmd('q17-added-partitions-key-order-4-to-8', `${s.cluster!.keysMoved} keys moved at ${s0(at(s, 'partitions', /^producer p1 sees/))}`),
  },
  {
    doc: QD,
    text: cmd('q17-added-partitions-key-order-8-from-start', '0 keys moved'),
    runs: q('q17-added-partitions-key-order-8-from-start'),
    render: (s) => cmd('q17-added-partitions-key-order-8-from-start', `${s.cluster?.keysMoved ?? 0} keys moved`),
  },

  // q19
  {
    doc: QD,
    text: '(**3 ISR shrinks, 0 expands**), writes continue with min ISR 2 (0 failed, 0 lost)',
    runs: q('q19-replicas-need-brokers-3-brokers'),
    render: (s) => `(**${s.isrShrinks} ISR shrinks, ${s.isrExpands} expands**), writes continue with min ISR 2 (${s.records.failed} failed, ${s.records.lostAcked} lost)`,
  },
  {
    doc: QD,
    text: cmd('q19-replicas-need-brokers-3-brokers', '3 shrinks, 0 expands'),
    runs: q('q19-replicas-need-brokers-3-brokers'),
    render: (s) => cmd('q19-replicas-need-brokers-3-brokers', `${s.isrShrinks} shrinks, ${s.isrExpands} expands`),
  },
  {
    doc: QD,
    text: 'With a fourth, idle broker the result is the same',
    runs: [...q('q19-replicas-need-brokers-3-brokers'), ...q('q19-replicas-need-brokers-4-brokers')],
    render: (a, b) => {
      const outcome = (s: RunSummary) => JSON.stringify([s.records, s.isrShrinks, s.isrExpands, s.elections.length]);
      return `With a fourth, idle broker the result is ${outcome(a) === outcome(b) ? 'the same' : 'different'}`;
    },
  },
  // q22
  ...['one-broker', 'two-brokers', 'all-brokers'].map(
    (v): Claim => ({
      doc: QD,
      text: 'power loss at 20 s',
      runs: q(`q22-power-loss-${v}`),
      render: (s) => `power loss at ${s0(at(s, 'broker', /\(power loss\)/))}`,
    }),
  ),
  {
    doc: QD,
    text: 'One broker: it loses its whole unflushed log (9,999 records truncated) and refetches it: **0 lost**',
    runs: q('q22-power-loss-one-broker'),
    render: (s) => `One broker: it loses its whole unflushed log (${n(s.records.truncated)} records truncated) and refetches it: **${s.records.lostAcked} lost**`,
  },
  {
    doc: QD,
    text: 'broker 3 still has everything and leads: **0 lost** (19,999 truncated and refetched)',
    runs: q('q22-power-loss-two-brokers'),
    render: (s) =>
      `broker ${[...new Set(s.elections.map((e) => e.leader))].join(' and ')} still has everything and leads: **${s.records.lostAcked} lost** (${n(s.records.truncated)} truncated and refetched)`,
  },
  {
    doc: QD,
    text: 'All three at once: **9,998 acknowledged records lost**',
    runs: q('q22-power-loss-all-brokers'),
    render: (s) => `All three at once: **${n(s.records.lostAcked)} acknowledged records lost**`,
  },
  {
    doc: QD,
    text: '(KIP-966, 3 elections it counts as unclean)',
    runs: q('q22-power-loss-all-brokers'),
    render: (s) => `(KIP-966, ${s.elections.filter((e) => e.reason === 'lastKnownLeader' && !e.clean).length} elections it counts as unclean)`,
  },
  ...(
    [
      ['one-broker', 0],
      ['two-brokers', 0],
      ['all-brokers', 9998],
    ] as const
  ).map(
    ([v, lost]): Claim => ({
      doc: QD,
      text: cmd(`q22-power-loss-${v}`, `lostAcked ${lost}`),
      runs: q(`q22-power-loss-${v}`),
      render: (s) => cmd(`q22-power-loss-${v}`, `lostAcked ${s.records.lostAcked}`),
    }),
  ),
  {
    doc: QD,
    text: 'leads where a rack-a broker led: **0 lost** (9,997 truncated and refetched)',
    runs: q('q22-power-loss-rack-three-racks'),
    render: (s) => `leads where a rack-a broker led: **${s.records.lostAcked} lost** (${n(s.records.truncated)} truncated and refetched)`,
  },
  {
    doc: QD,
    text: 'the rack takes all three replicas of every partition with it: **9,997 acknowledged records lost**',
    runs: q('q22-power-loss-rack-one-rack'),
    render: (s) => `the rack takes all three replicas of every partition with it: **${n(s.records.lostAcked)} acknowledged records lost**`,
  },
  ...(
    [
      ['three-racks', 0],
      ['one-rack', 9997],
    ] as const
  ).map(
    ([v, lost]): Claim => ({
      doc: QD,
      text: cmd(`q22-power-loss-rack-${v}`, `lostAcked ${lost}`),
      runs: q(`q22-power-loss-rack-${v}`),
      render: (s) => cmd(`q22-power-loss-rack-${v}`, `lostAcked ${s.records.lostAcked}`),
    }),
  ),
  // q23
  ...['2', '3'].map(
    (v): Claim => ({
      doc: QD,
      text: 'One follower is cut off from the leader for 50 s twice',
      runs: q(`q23-isr-flapping-min-isr-${v}`),
      render: (s) => {
        const cuts = s.timeline.filter((t) => t.kind === 'fault' && t.text.startsWith('partition between follower of orders-0 and leader of orders-0'));
        const heals = s.timeline.filter((t) => t.kind === 'fault' && t.text.startsWith('heal '));
        const lengths = new Set(cuts.map((p, i) => s0((heals[i]?.atMs ?? Number.NaN) - p.atMs)));
        return `One follower is cut off from the leader for ${[...lengths].join(' and ')} ${cuts.length === 2 ? 'twice' : `${cuts.length} times`}`;
      },
    }),
  ),
  ...['2', '3'].map(
    (v): Claim => ({
      doc: QD,
      text: 'twice (its fetches stop; it still reaches the controller): **2 ISR shrinks, 2 expands**',
      runs: q(`q23-isr-flapping-min-isr-${v}`),
      render: (s) => `twice (its fetches stop; it still reaches the controller): **${s.isrShrinks} ISR shrinks, ${s.isrExpands} expands**`,
    }),
  ),
  {
    doc: QD,
    text: 'With min ISR 2 (RF 3): **0 NOT_ENOUGH_REPLICAS, 0 failed, 0 lost**, but acks=all waits for the stalled follower until it leaves the ISR (produce p99 38.5 s)',
    runs: q('q23-isr-flapping-min-isr-2'),
    render: (s) =>
      `With min ISR 2 (RF 3): **${err(s, 'NOT_ENOUGH_REPLICAS')} NOT_ENOUGH_REPLICAS, ${s.records.failed} failed, ${s.records.lostAcked} lost**, but acks=all waits for the stalled follower until it leaves the ISR (produce p99 ${s1(s.latencyMs.produce.p99)})`,
  },
  {
    doc: QD,
    text: 'With min ISR 3 (= RF): **30 NOT_ENOUGH_REPLICAS**, produce p50 20.3 s and p99 56.9 s',
    runs: q('q23-isr-flapping-min-isr-3'),
    render: (s) => `With min ISR 3 (= RF): **${err(s, 'NOT_ENOUGH_REPLICAS')} NOT_ENOUGH_REPLICAS**, produce p50 ${s1(s.latencyMs.produce.p50)} and p99 ${s1(s.latencyMs.produce.p99)}`,
  },
  ...['2', '3'].map(
    (v): Claim => ({
      doc: QD,
      text: 'Nothing is lost in either',
      runs: q(`q23-isr-flapping-min-isr-${v}`),
      render: (s) => (s.records.lostAcked === 0 ? 'Nothing is lost in either' : `${n(s.records.lostAcked)} lost`),
    }),
  ),
  ...(
    [
      ['2', 0],
      ['3', 30],
    ] as const
  ).map(
    ([v, e]): Claim => ({
      doc: QD,
      text: cmd(`q23-isr-flapping-min-isr-${v}`, `NOT_ENOUGH_REPLICAS ${e}`),
      runs: q(`q23-isr-flapping-min-isr-${v}`),
      render: (s) => cmd(`q23-isr-flapping-min-isr-${v}`, `NOT_ENOUGH_REPLICAS ${err(s, 'NOT_ENOUGH_REPLICAS')}`),
    }),
  ),
  ...['2', '3'].map(
    (v): Claim => ({
      doc: QD,
      text: 'so it is never fenced (0 fencings, 0 elections)',
      runs: q(`q23-isr-flapping-min-isr-${v}`),
      render: (s) => {
        const fencings = s.timeline.filter((t) => t.kind === 'fence').length;
        return `so it is ${fencings === 0 ? 'never' : `${fencings} times`} fenced (${fencings} fencings, ${s.elections.length} elections)`;
      },
    }),
  ),
  ...['2', '3'].map(
    (v): Claim => ({
      doc: QD,
      text: "it leaves the ISR only through the leader's `replica.lag.time.max.ms` check (30 s, run every 15 s), 40 s and 30 s into the two stalls",
      runs: q(`q23-isr-flapping-min-isr-${v}`),
      render: (s) => {
        const cuts = s.timeline.filter((t) => t.kind === 'fault' && t.text.startsWith('partition '));
        const shrinks = s.timeline.filter((t) => t.kind === 'isr' && t.text.includes('(shrink)'));
        const into = cuts.map((c) => s0((shrinks.find((x) => x.atMs > c.atMs)?.atMs ?? Number.NaN) - c.atMs));
        const only = s.timeline.filter((t) => t.kind === 'isr' && !/\((shrink|expand)\)/.test(t.text)).length === 0 ? 'only' : 'not only';
        return `it leaves the ISR ${only} through the leader's \`replica.lag.time.max.ms\` check (30 s, run every 15 s), ${into.join(' and ')} into the two stalls`;
      },
    }),
  ),
  // consumer groups: q1, q2, q5, q11, q16, q20, q21
  { doc: QD, text: '**415 records received twice**', runs: q('q01-rebalance-duplicates-auto-commit'), render: (s) => `**${n(s.records.redelivered)} records received twice**` },
  {
    doc: QD,
    text: cmd('q01-rebalance-duplicates-auto-commit', 'redelivered 415'),
    runs: q('q01-rebalance-duplicates-auto-commit'),
    render: (s) => cmd('q01-rebalance-duplicates-auto-commit', `redelivered ${s.records.redelivered}`),
  },
  {
    doc: QD,
    text: '**removed 2 times, 2 failed commits, 1,000 records processed again**',
    runs: q('q02-kicked-out-500-records'),
    render: (s) => `**removed ${grp(s).removed} times, ${grp(s).failedCommits} failed commits, ${n(s.records.redelivered)} records processed again**`,
  },
  { doc: QD, text: 'never past offset 499', runs: q('q02-kicked-out-500-records'), render: (s) => `never past offset ${grp(s).rows[0]!.currentOffset === null ? maxRedelivered(s) : 'committed'}` },
  { doc: QD, text: '**0 removed, 0 processed twice**', runs: q('q02-kicked-out-100-records'), render: (s) => `**${grp(s).removed} removed, ${s.records.redelivered} processed twice**` },
  ...(
    [
      ['500', 'removed 2, redelivered 1000'],
      ['100', 'removed 0, redelivered 0'],
    ] as const
  ).map(
    ([k, text]): Claim => ({
      doc: QD,
      text: cmd(`q02-kicked-out-${k}-records`, text),
      runs: q(`q02-kicked-out-${k}-records`),
      render: (s) => cmd(`q02-kicked-out-${k}-records`, `removed ${grp(s).removed}, redelivered ${s.records.redelivered}`),
    }),
  ),
  { doc: QD, text: '**4,602 records never read**', runs: q('q05-new-consumer-latest'), render: (s) => `**${n(neverRead(s))} records never read**` },
  { doc: QD, text: '**0 never read**', runs: q('q05-new-consumer-earliest'), render: (s) => `**${n(neverRead(s))} never read**` },
  ...(['latest', 'earliest'] as const).map(
    (k): Claim => ({
      doc: QD,
      text: cmd(`q05-new-consumer-${k}`, `consumed ${k === 'latest' ? 8396 : 12998}`),
      runs: q(`q05-new-consumer-${k}`),
      render: (s) => cmd(`q05-new-consumer-${k}`, `consumed ${s.records.consumed}`),
    }),
  ),
  {
    doc: QD,
    text: '**814 partition-seconds without an owner**',
    runs: q('q11-rolling-deploy-eager'),
    render: (s) => `**${Math.round(grp(s).pausedPartitionSeconds)} partition-seconds without an owner**`,
  },
  { doc: QD, text: '**300 partition-seconds**', runs: q('q11-rolling-deploy-cooperative'), render: (s) => `**${Math.round(grp(s).pausedPartitionSeconds)} partition-seconds**` },
  { doc: QD, text: '**7,552 records are read twice**', runs: q('q11-rolling-deploy-cooperative'), render: (s) => `**${n(s.records.redelivered)} records are read twice**` },
  {
    doc: QD,
    text: cmd('q11-rolling-deploy-eager', 'pausedPartitionSeconds 813.5'),
    runs: q('q11-rolling-deploy-eager'),
    render: (s) => cmd('q11-rolling-deploy-eager', `pausedPartitionSeconds ${grp(s).pausedPartitionSeconds}`),
  },
  {
    doc: QD,
    text: cmd('q11-rolling-deploy-cooperative', 'pausedPartitionSeconds 299.9, redelivered 7552'),
    runs: q('q11-rolling-deploy-cooperative'),
    render: (s) => cmd('q11-rolling-deploy-cooperative', `pausedPartitionSeconds ${grp(s).pausedPartitionSeconds}, redelivered ${s.records.redelivered}`),
  },
  // KIP-848 beside classic eager and cooperative (question 11)
  {
    doc: QD,
    text: 'eager **680 partition-seconds without an owner**, cooperative-sticky **46**, KIP-848 **166**, of which **100 in the first 19 s**',
    runs: [...K848('eager'), ...K848('cooperative'), ...K848(), { path: 'scenarios/kip848-vs-classic.yaml', edit: UNTIL_19S }],
    render: (e, c, k, start) =>
      `eager **${Math.round(grp(e).pausedPartitionSeconds)} partition-seconds without an owner**, cooperative-sticky **${Math.round(grp(c).pausedPartitionSeconds)}**, KIP-848 **${Math.round(grp(k).pausedPartitionSeconds)}**, of which **${Math.round(grp(start).pausedPartitionSeconds)} in the first 19 s**`,
  },
  {
    doc: QD,
    text: '**1,853** (cooperative-sticky: **4,547**; eager: **894**)',
    runs: [...K848(), ...K848('cooperative'), ...K848('eager')],
    render: (k, c, e) => `**${n(k.records.redelivered)}** (cooperative-sticky: **${n(c.records.redelivered)}**; eager: **${n(e.records.redelivered)}**)`,
  },
  ...(['eager', 'cooperative', ''] as const).map(
    (v): Claim => ({
      doc: QD,
      text: cmd(
        `kip848-vs-classic${v ? `-${v}` : ''}`,
        { eager: 'pausedPartitionSeconds 680.1, redelivered 894', cooperative: 'pausedPartitionSeconds 46.4, redelivered 4547', '': 'pausedPartitionSeconds 166, redelivered 1853' }[v],
      ),
      runs: K848(v || undefined),
      render: (s) => cmd(`kip848-vs-classic${v ? `-${v}` : ''}`, `pausedPartitionSeconds ${grp(s).pausedPartitionSeconds}, redelivered ${s.records.redelivered}`),
    }),
  ),
  {
    doc: QD,
    text: 'kip848-vs-classic.yaml --until 19s # pausedPartitionSeconds 100',
    runs: [{ path: 'scenarios/kip848-vs-classic.yaml', edit: UNTIL_19S }],
    render: (s) => `kip848-vs-classic.yaml --until 19s # pausedPartitionSeconds ${grp(s).pausedPartitionSeconds}`,
  },
  { doc: QD, text: '**396 records never processed**', runs: q('q14-auto-commit-worker-threads'), render: (s) => `**${n(s.records.skipped)} records never processed**` },
  {
    doc: QD,
    text: '**0 never processed, 692 processed twice**',
    runs: q('q14-auto-commit-poll-thread'),
    render: (s) => `**${n(s.records.skipped)} never processed, ${n(s.records.redelivered)} processed twice**`,
  },
  {
    doc: QD,
    text: cmd('q14-auto-commit-worker-threads', 'skipped 396'),
    runs: q('q14-auto-commit-worker-threads'),
    render: (s) => cmd('q14-auto-commit-worker-threads', `skipped ${s.records.skipped}`),
  },
  {
    doc: QD,
    text: cmd('q14-auto-commit-poll-thread', 'skipped 0, redelivered 692'),
    runs: q('q14-auto-commit-poll-thread'),
    render: (s) => cmd('q14-auto-commit-poll-thread', `skipped ${s.records.skipped}, redelivered ${s.records.redelivered}`),
  },
  // The records a reader skipped, per partition with their offsets: the run report's table and the page's tooltip and narrative.
  {
    doc: 'README.md',
    text: 'group payments payments-0 396 record(s) offsets 1296..1691 below position 1882',
    runs: q('q14-auto-commit-worker-threads'),
    render: (s) => s.skipped.map((r) => `${r.reader} ${r.partition} ${r.records} record(s) ${r.offsets} below position ${r.position}`).join(' '),
  },
  {
    doc: VD,
    text: '*skipped by group payments: 396 record(s), offsets 1296..1691*',
    runs: q('q14-auto-commit-worker-threads'),
    render: (s) => s.skipped.map((r) => `*skipped by ${r.reader}: ${r.records} record(s), ${r.offsets}*`).join(' '),
  },
  {
    doc: VD,
    text: '*the checks at the end: group payments skipped 396 record(s) of payments-0 (offsets 1296..1691, below its final position 1882) …*',
    runs: q('q14-auto-commit-worker-threads'),
    render: (s) =>
      `*the checks at the end: ${s.skipped.map((r) => `${r.reader} skipped ${n(r.records)} record(s) of ${r.partition} (${r.offsets}, below its final position ${r.position})`).join('; ')} …*`,
  },
  { doc: QD, text: '**lag 1,684 at the end**', runs: q('q16-more-consumers-uniform-keys'), render: (s) => `**lag ${n(grp(s).totalLag)} at the end**` },
  { doc: QD, text: '**lag 30,996 at the end**', runs: q('q16-more-consumers-hot-key'), render: (s) => `**lag ${n(grp(s).totalLag)} at the end**` },
  ...(['uniform-keys', 'hot-key'] as const).map(
    (k): Claim => ({
      doc: QD,
      text: cmd(`q16-more-consumers-${k}`, `lag ${k === 'hot-key' ? 30996 : 1684}`),
      runs: q(`q16-more-consumers-${k}`),
      render: (s) => cmd(`q16-more-consumers-${k}`, `lag ${grp(s).totalLag}`),
    }),
  ),
  {
    doc: QD,
    text: '**groups billing and shipping never rejoin (lag 13,501 each at the end)**',
    runs: q('q20-coordinator-offsets-rf-1'),
    render: (s) => {
      const stuck = s.groups.filter((g) => g.generation === 1);
      const lags = new Set(stuck.map((g) => g.totalLag));
      return `**groups ${stuck.map((g) => g.group).join(' and ')} never rejoin (lag ${[...lags].map(n).join(', ')} each at the end)**`;
    },
  },
  {
    doc: QD,
    text: '**every group rejoins**',
    runs: q('q20-coordinator-offsets-rf-3'),
    render: (s) => (s.groups.every((g) => g.generation === 2) ? '**every group rejoins**' : '**some groups do not rejoin**'),
  },
  ...([1, 3] as const).map(
    (rf): Claim => ({
      doc: QD,
      text: cmd(`q20-coordinator-offsets-rf-${rf}`, `shipping: generation ${rf === 1 ? 1 : 2}`),
      runs: q(`q20-coordinator-offsets-rf-${rf}`),
      render: (s) => cmd(`q20-coordinator-offsets-rf-${rf}`, `shipping: generation ${grp(s, 'shipping').generation}`),
    }),
  ),
  { doc: QD, text: '**1 rebalance in the whole run**', runs: q('q21-static-membership-static'), render: (s) => `**${grp(s).rebalances} rebalance in the whole run**` },
  {
    doc: QD,
    text: '**2 rebalances, 84 partition-seconds without an owner**',
    runs: q('q21-static-membership-dynamic'),
    render: (s) => `**${grp(s).rebalances} rebalances, ${Math.round(grp(s).pausedPartitionSeconds)} partition-seconds without an owner**`,
  },
  ...(['static', 'dynamic'] as const).map(
    (k): Claim => ({
      doc: QD,
      text: cmd(`q21-static-membership-${k}`, `rebalances ${k === 'static' ? 1 : 2}`),
      runs: q(`q21-static-membership-${k}`),
      render: (s) => cmd(`q21-static-membership-${k}`, `rebalances ${grp(s).rebalances}`),
    }),
  ),
  // q24
  { doc: QD, text: 'the leader appends them again: **5 duplicates**', runs: q('q24-retries-duplicates-2.8'), render: (s) => `the leader appends them again: **${s.records.duplicated} duplicates**` },
  { doc: QD, text: 'the retries are recognised: **0 duplicates**', runs: q('q24-retries-duplicates-4.1'), render: (s) => `the retries are recognised: **${s.records.duplicated} duplicates**` },
  ...['2.8', '4.1'].map(
    (v): Claim => ({
      doc: QD,
      text: 'Nothing lost in either',
      runs: q(`q24-retries-duplicates-${v}`),
      render: (s) => (s.records.lostAcked === 0 ? 'Nothing lost in either' : `${n(s.records.lostAcked)} lost`),
    }),
  ),
  ...(
    [
      ['2.8', 5],
      ['4.1', 0],
    ] as const
  ).map(
    ([v, d]): Claim => ({
      doc: QD,
      text: cmd(`q24-retries-duplicates-${v}`, `duplicated ${d}`),
      runs: q(`q24-retries-duplicates-${v}`),
      render: (s) => cmd(`q24-retries-duplicates-${v}`, `duplicated ${s.records.duplicated}`),
    }),
  ),

  // docs/failures.md
  {
    doc: FD,
    text: 'A leads with log end offset 10 and is the only ISR member; B has 5 records, C has 2',
    runs: c('kafka10751-unclean-arithmetic-0.10'),
    render: (s) => {
      // After the unclean election C's log is the truth: each of A and B truncated to C's log end offset.
      const [offset] = match(s, 'truncate', /^orders-0: broker \d+ truncated \d+ record\(s\) to offset (\d+)/);
      const leo = (b: string) => Number(offset) + (tbb(s)[b] ?? 0);
      const shrinks = s.timeline.filter((t) => t.kind === 'isr' && t.atMs < (s.elections[0]?.atMs ?? 0) && t.text.endsWith('(shrink)'));
      const isr = /→ \[([\d,]+)\]/.exec(shrinks.at(-1)?.text ?? '')?.[1];
      return `A leads with log end offset ${leo('1')} and is ${isr === '1' ? 'the only ISR member' : `in the ISR [${isr}]`}; B has ${leo('2')} records, C has ${offset}`;
    },
  },
  {
    doc: FD,
    text: 'A dies and C, first in assignment order, is elected uncleanly',
    runs: c('kafka10751-unclean-arithmetic-0.10'),
    render: (s) => {
      const e = s.elections[0];
      return `A dies and ${e?.leader === 3 ? 'C' : `broker ${e?.leader}`}, first in assignment order, is elected ${e?.clean ? 'cleanly' : 'uncleanly'}`;
    },
  },
  {
    doc: FD,
    text: 'B truncates 5 − 2 = 3 records, and A, when it returns, 10 − 2 = 8',
    runs: c('kafka10751-unclean-arithmetic-0.10'),
    render: (s) => `B truncates 5 − 2 = ${tbb(s)['2'] ?? 0} records, and A, when it returns, 10 − 2 = ${tbb(s)['1'] ?? 0}`,
  },
  {
    doc: FD,
    text: '`expect.truncatedByBroker: {"1": 8, "2": 3, "3": 0}`',
    runs: c('kafka10751-unclean-arithmetic-0.10'),
    render: (s) => `\`expect.truncatedByBroker: {${['1', '2', '3'].map((b) => `"${b}": ${tbb(s)[b] ?? 0}`).join(', ')}}\``,
  },
  {
    doc: FD,
    text: cmd('kafka10751-unclean-arithmetic-0.10', 'A truncates 8, B 3'),
    runs: c('kafka10751-unclean-arithmetic-0.10'),
    render: (s) => cmd('kafka10751-unclean-arithmetic-0.10', `A truncates ${tbb(s)['1'] ?? 0}, B ${tbb(s)['2'] ?? 0}`),
  },
  {
    doc: FD,
    text: cmd('kafka10751-unclean-arithmetic-4.1', 'offline, then nothing truncated'),
    runs: c('kafka10751-unclean-arithmetic-4.1'),
    render: (s) => cmd('kafka10751-unclean-arithmetic-4.1', `${s.elections[0]?.leader === -1 ? 'offline' : 'a leader'}, then ${s.records.truncated === 0 ? 'nothing' : s.records.truncated} truncated`),
  },
  {
    doc: FD,
    text: cmd('kip101-hw-truncation-0.10', '~400 acknowledged records lost'),
    runs: c('kip101-hw-truncation-0.10'),
    render: (s) => cmd('kip101-hw-truncation-0.10', `~${Math.round(s.records.lostAcked / 100) * 100} acknowledged records lost`),
  },
  {
    doc: FD,
    text: cmd('kip101-hw-truncation-4.1', 'nothing truncated, nothing lost'),
    runs: c('kip101-hw-truncation-4.1'),
    render: (s) => cmd('kip101-hw-truncation-4.1', `${s.records.truncated === 0 ? 'nothing' : s.records.truncated} truncated, ${s.records.lostAcked === 0 ? 'nothing' : s.records.lostAcked} lost`),
  },
  ...['epoch-without-epoch', 'diverging-epoch'].map(
    (v): Claim => ({
      doc: FD,
      text: "A leads (epoch 0); B falls behind and becomes leader (epoch 1) when A dies, writing its own records; B dies and A comes back as leader (epoch 3) without ever seeing epoch 1 (B's election is clean: B had fallen behind but was still in the ISR; A's is unclean)",
      runs: c(`kip279-fast-failover-${v}`),
      render: (s) => {
        const b = s.elections.find((e) => e.leader === 2);
        const a = s.elections.find((e) => e.leader === 1);
        return `A leads (epoch 0); B falls behind and becomes leader (epoch ${b?.epoch}) when A dies, writing its own records; B dies and A comes back as leader (epoch ${a?.epoch}) without ever seeing epoch ${b?.epoch} (B's election is ${cleanWord(b?.clean ?? false)}${b?.clean ? ': B had fallen behind but was still in the ISR' : ''}; A's is ${cleanWord(a?.clean ?? false)})`;
      },
    }),
  ),
  {
    doc: FD,
    text: cmd('kip320-consumer-truncation-undetected', 'records.skipped ≈ 5000'),
    runs: c('kip320-consumer-truncation-undetected'),
    render: (s) => cmd('kip320-consumer-truncation-undetected', `records.skipped ≈ ${Math.round(s.records.skipped / 100) * 100}`),
  },
  {
    doc: FD,
    text: cmd('kip320-consumer-truncation-detected', 'records.skipped = 0'),
    runs: c('kip320-consumer-truncation-detected'),
    render: (s) => cmd('kip320-consumer-truncation-detected', `records.skipped = ${s.records.skipped}`),
  },

  // docs/api.md: its example (the example's printed figures are test/package.test.ts's business).
  {
    doc: 'docs/api.md',
    text: 'the old leader was fenced at about 17 s',
    runs: [{ path: 'docs/api.md', example: true, seed: 7 }],
    render: (s) => `the old leader was fenced at about ${s0(at(s, 'fence', /^controller fenced broker/))}`,
  },

  // README.md: the why-lost screenshot is unclean-election-loss with seed 7 (docs/screenshots/make.mjs).
  {
    doc: 'README.md',
    text: '![why 47,500 acknowledged records were lost: the chain of events]',
    runs: [{ path: 'scenarios/unclean-election-loss.yaml', seed: 7 }],
    render: (s) => `![why ${n(s.records.lostAcked)} acknowledged records were lost: the chain of events]`,
  },

  // README.md: the scenarios table, add-broker-reassign (with the throttle, without it, and with 64 KB fetches).
  {
    doc: 'README.md',
    text: 'a fourth broker joins at 10 s and hosts nothing until `reassign` at 20 s (`throttle: 200KB/s`) moves one replica of 3 partitions onto it: each completes once broker 4 is in its ISR, the last 4.3 s after the start (unthrottled: 7 ms; with 64 KB fetches: 6.4 s), and 3 leaderships move off removed replicas; nothing acknowledged is lost',
    runs: [
      { path: 'scenarios/add-broker-reassign.yaml' },
      { path: 'scenarios/add-broker-reassign.yaml', edit: { flags: '--set faults.1.throttle=-1', apply: (raw) => void ((raw.faults as Record<string, unknown>[])[1]!.throttle = -1) } },
      {
        path: 'scenarios/add-broker-reassign.yaml',
        edit: {
          flags: '--set cluster.config.replica.fetch.max.bytes=65536',
          apply: (raw) => void ((raw.cluster as { config: Record<string, unknown> }).config['replica.fetch.max.bytes'] = 65536),
        },
      },
    ],
    render: (s, fast, small) => {
      const joined = at(s, 'broker', /^broker 4 running/);
      const start = at(s, 'reassign', /reassignment starts/);
      const took = (r: RunSummary) => r.cluster!.reassignmentDoneMs - at(r, 'reassign', /reassignment starts/);
      const started = s.timeline.filter((t) => t.kind === 'reassign' && /reassignment starts/.test(t.text)).length;
      const moved = s.elections.filter((e) => e.reason === 'reassignment').length;
      const lost = s.records.lostAcked === 0 ? 'nothing acknowledged is lost' : `${n(s.records.lostAcked)} acknowledged records are lost`;
      return `a fourth broker joins at ${s0(joined)} and hosts nothing until \`reassign\` at ${s0(start)} (\`throttle: 200KB/s\`) moves one replica of ${started} partitions onto it: each completes once broker 4 is in its ISR, the last ${s1(took(s))} after the start (unthrottled: ${msr(took(fast!))}; with 64 KB fetches: ${s1(took(small!))}), and ${moved} leaderships move off removed replicas; ${lost}`;
    },
  },

  // README.md: the scenarios table, disk-failure-metadata-dir (and its compare, metadata.log.dir apart).
  {
    doc: 'README.md',
    text: "the disk that fails is the first of `log.dirs`, which holds the broker's metadata log: the whole broker halts, and its leaders move only when the controller fences it (`broker.session.timeout.ms`), produce p99 7.4 s; with `metadata.log.dir` on a disk of its own (compare) the broker stays up, yet writes stall longer, produce p99 29.0 s, because the leaders wait for its dead replicas as caught up until `replica.lag.time.max.ms`",
    runs: [
      { path: 'scenarios/disk-failure-metadata-dir.yaml' },
      {
        path: 'scenarios/disk-failure-metadata-dir.yaml',
        edit: { flags: '--set cluster.config.metadata.log.dir=/meta', apply: (raw) => void ((raw.cluster as { config: Record<string, unknown> }).config['metadata.log.dir'] = '/meta') },
      },
    ],
    render: (s, apart) => {
      const halted = s.timeline.some((t) => t.text === 'broker 2 halted: its metadata log directory failed') ? 'the whole broker halts' : 'the broker does not halt';
      const fenced = s.timeline.some((t) => /^controller fenced broker 2 \(no heartbeat/.test(t.text)) ? 'its leaders move only when the controller fences it' : 'its leaders move at once';
      const up = apart!.timeline.some((t) => /^broker 2 halted/.test(t.text)) ? 'the broker halts too' : 'the broker stays up';
      const longer = apart!.latencyMs.produce.p99 > s.latencyMs.produce.p99 ? 'yet writes stall longer' : 'and writes stall less';
      return `the disk that fails is the first of \`log.dirs\`, which holds the broker's metadata log: ${halted}, and ${fenced} (\`broker.session.timeout.ms\`), produce p99 ${s1(s.latencyMs.produce.p99)}; with \`metadata.log.dir\` on a disk of its own (compare) ${up}, ${longer}, produce p99 ${s1(apart!.latencyMs.produce.p99)}, because the leaders wait for its dead replicas as caught up until \`replica.lag.time.max.ms\``;
    },
  },

  // README.md: the scenarios table, add-partitions-remaps-keys.
  {
    doc: 'README.md',
    text: '`createPartitions` 4 → 8 at 22 s: the producer learns the new count at 25 s (metadata.max.age.ms 5 s) and 488 of its 1,000 keys now map to another partition; the consumer, assigned partitions 0 to 3 by hand, keeps them and reads 12,998 of the 15,998 acknowledged records',
    runs: [{ path: 'scenarios/add-partitions-remaps-keys.yaml' }],
    render: (s) => {
      const [count] = match(s, 'partitions', /^orders: (\d+) partitions/);
      const learned = at(s, 'partitions', /^producer p1 sees/);
      const read = new Set(s.partitions.map((p) => p.partition).filter((p) => p < 4));
      return `\`createPartitions\` 4 → ${count} at ${s0(at(s, 'partitions', /^orders: \d+ partitions/))}: the producer learns the new count at ${s0(learned)} (metadata.max.age.ms 5 s) and ${s.cluster!.keysMoved} of its 1,000 keys now map to another partition; the consumer, assigned partitions 0 to ${read.size - 1} by hand, keeps them and reads ${n(s.records.consumed)} of the ${n(s.records.acked)} acknowledged records`;
    },
  },

  // README.md: the scenarios table, remove-broker (and its compare side, min.insync.replicas=3).
  {
    doc: 'README.md',
    text: "decommissioning broker 4 in Kafka's three steps: `reassign` its 3 replicas away at 10 s (all complete within 5 ms, and its 1 leadership moves to broker 1), `shutdown` at 20 s moves nothing, `unregisterBroker` at 25 s; 0 failed and nothing acknowledged is lost, with min.insync.replicas=3 too",
    runs: [{ path: 'scenarios/remove-broker.yaml' }, { path: 'scenarios/remove-broker.yaml', edit: clusterMinIsr(3) }],
    render: (s, strict) => {
      const start = at(s, 'reassign', /reassignment starts/);
      const took = Math.ceil(s.cluster!.reassignmentDoneMs - start);
      const moved = s.elections.filter((e) => e.reason === 'reassignment');
      const to = [...new Set(moved.map((e) => e.leader))].join(', ');
      const shutdownMoves = s.elections.filter((e) => e.atMs >= at(s, 'fault', /^shutdown broker 4/)).length;
      const ok = (r: RunSummary) => r.records.failed === 0 && r.records.lostAcked === 0;
      return `decommissioning broker 4 in Kafka's three steps: \`reassign\` its ${s.cluster!.reassignmentsCompleted} replicas away at ${s0(start)} (all complete within ${took} ms, and its ${moved.length} leadership moves to broker ${to}), \`shutdown\` at ${s0(at(s, 'fault', /^shutdown broker 4/))} moves ${shutdownMoves === 0 ? 'nothing' : `${shutdownMoves} leaderships`}, \`unregisterBroker\` at ${s0(at(s, 'fault', /^unregister broker 4/))}; ${s.records.failed} failed and ${s.records.lostAcked === 0 ? 'nothing acknowledged is lost' : `${n(s.records.lostAcked)} acknowledged records are lost`}${ok(strict!) ? ', with min.insync.replicas=3 too' : ''}`;
    },
  },

  // README.md: the scenarios table, preferred-leader-rebalance (leaders per broker from the trace's elections).
  {
    doc: 'README.md',
    text: 'a bounce of broker 1 leaves broker 2 leading 4 of the 6 partitions and broker 1 none; `electLeaders: preferred` at 30 s makes 2 preferred elections, and each broker leads 2 again',
    runs: [{ path: 'scenarios/preferred-leader-rebalance.yaml' }],
    trace: true,
    render: (s) => {
      const events = eventsOf(s);
      const fault = events.find((e) => e.type === 'fault' && e.verb === 'electLeaders')!;
      const leaders = new Map<string, number>();
      const start = events.find((e) => e.type === 'header');
      if (start?.type === 'header') for (const t of start.topics) for (const [i, r] of t.replicas.entries()) leaders.set(`${t.name}-${i}`, r[0]!);
      const count = (b: number) => [...leaders.values()].filter((l) => l === b).length;
      let skewed = '';
      let preferred = 0;
      for (const e of events) {
        if (e.t >= fault.t && skewed === '') skewed = `broker 2 leading ${count(2)} of the ${leaders.size} partitions and broker 1 ${count(1) === 0 ? 'none' : count(1)}`;
        if (e.type !== 'election') continue;
        leaders.set(e.tp, e.leader);
        if (e.t === fault.t && e.reason === 'preferred') preferred++;
      }
      const even = [1, 2, 3].every((b) => count(b) === count(1)) ? `each broker leads ${count(1)} again` : 'leaders stay uneven';
      return `a bounce of broker 1 leaves ${skewed}; \`electLeaders: preferred\` at ${s0(fault.t / 1000)} makes ${preferred} preferred elections, and ${even}`;
    },
  },

  // docs/visualizer.md: its examples are killed-leader and unclean-election-loss with seed 7, as in its URLs.
  {
    doc: VD,
    text: '*broker 1 missed heartbeats for 9.0 s and was fenced by the controller (broker.session.timeout.ms)*',
    runs: [{ path: 'scenarios/killed-leader.yaml', seed: 7 }],
    trace: true,
    render: (s) => {
      // As viz/derive/narrative.ts: from the last heartbeat that reached the controller to the fencing.
      const events = eventsOf(s);
      const fence = events.find((e) => e.type === 'fence' && e.reason === 'sessionTimeout');
      if (fence?.type !== 'fence') return 'no broker was fenced';
      let last = Number.NaN;
      for (const e of events) {
        if (e.type === 'msg' && e.kind === 'BrokerHeartbeat' && e.dropped === undefined && e.to === 'ctl' && e.from === `b${fence.broker}` && e.recvUs <= fence.t) last = e.recvUs;
      }
      return `*broker ${fence.broker} missed heartbeats for ${((fence.t - last) / 1e6).toFixed(1)} s and was fenced by the controller (broker.session.timeout.ms)*`;
    },
  },
  {
    doc: VD,
    text: '*orders-0: leader 1 → 2 (epoch 1, clean: 2 was in the ISR [1,2,3]), because broker 1 was fenced*',
    runs: [{ path: 'scenarios/killed-leader.yaml', seed: 7 }],
    render: (s) => {
      const [from, to, epoch, clean] = match(s, 'election', /^orders-0: leader (\d+) → (\d+), epoch (\d+), (clean|UNCLEAN)/);
      const [isr] = match(s, 'isr', /^orders-0: ISR (\[[\d,]+\]) → .*\(fenced\)/);
      const [fenced] = match(s, 'fence', /fenced broker (\d+)/);
      return `*orders-0: leader ${from} → ${to} (epoch ${epoch}, ${clean === 'clean' ? 'clean' : 'UNCLEAN'}: ${to} was in the ISR ${isr}), because broker ${fenced} was fenced*`;
    },
  },
  {
    doc: VD,
    text: "*broker 1 truncated orders-0 to offset 2499, removing 47500 record(s): its log diverged from the new leader's epoch history (leader epoch truncation); 47500 acknowledged record(s) are now on no replica: LOST*",
    runs: [{ path: 'scenarios/unclean-election-loss.yaml', seed: 7 }],
    render: (s) => {
      const [broker, count, offset, short] = match(s, 'truncate', /^orders-0: broker (\d+) truncated (\d+) record\(s\) to offset (\d+) \(([^)]+)\)/);
      const reason = (Object.keys(TRUNCATION_SHORT) as (keyof typeof TRUNCATION_SHORT)[]).find((k) => TRUNCATION_SHORT[k] === short);
      return `*broker ${broker} truncated orders-0 to offset ${offset}, removing ${count} record(s): ${reason === undefined ? short : TRUNCATION_WORDS[reason]}; ${s.records.lostAcked} acknowledged record(s) are now on no replica: LOST*`;
    },
  },
  {
    doc: VD,
    text: '(`reordered A 0 · B 24`)',
    runs: [
      { path: 'scenarios/killed-leader.yaml', seed: 8 },
      { path: 'scenarios/killed-leader.yaml', seed: 8, edit: producerProperty('acks', 1) },
    ],
    render: (a, b) => `(\`reordered A ${a.records.reordered} · B ${b.records.reordered}\`)`,
  },
  {
    doc: VD,
    text: "checks killed-leader with seed 7: the page's trace hash equals the CLI's, the election shows leader 2 and ISR [2,3], stepping back shows leader 1 and ISR [1,2,3]",
    runs: [{ path: 'scenarios/killed-leader.yaml', seed: 7 }],
    render: (s) => {
      const [from, to, after] = match(s, 'election', /^orders-0: leader (\d+) → (\d+), .*ISR (\[[\d,]+\])$/);
      const [before] = match(s, 'isr', /^orders-0: ISR (\[[\d,]+\]) → /);
      return `checks killed-leader with seed 7: the page's trace hash equals the CLI's, the election shows leader ${to} and ISR ${after}, stepping back shows leader ${from} and ISR ${before}`;
    },
  },
];

/**
 * Docs where bold marks a run's outcome, so every number in bold must be claimed. Elsewhere bold also marks
 * versions (`**Fixed in 0.11**`) and config defaults (the profiles table), which are not run figures.
 */
const BOLD_OUTCOMES = ['docs/questions.md'];

/** Docs whose figures are claimed; each is searched by the guard too. */
const DOCS = ['README.md', 'docs/api.md', 'docs/questions.md', 'docs/failures.md', 'docs/profiles.md', 'docs/visualizer.md'];

// --- runs, each once -------------------------------------------------------------------------------------

const scenarios = new Map<string, Scenario>();
const runs = new Map<string, RunSummary>();

/** The scenario text of a file, or of a doc's example (`parseScenario(\`...\``). */
function sourceOf(path: string): string {
  const text = readFileSync(`${ROOT}${path}`, 'utf8');
  if (!path.endsWith('.md')) return text;
  const m = /parseScenario\(`([^`]*)`/.exec(text);
  if (!m?.[1]) throw new Error(`${path} has no parseScenario(\`...\`) example`);
  return m[1];
}

function scenarioOf(path: string): Scenario {
  let s = scenarios.get(path);
  if (!s) {
    s = parseScenario(sourceOf(path), path);
    scenarios.set(path, s);
  }
  return s;
}

function seedOf(r: RunRef): number {
  return r.seed ?? scenarioOf(r.path).seed;
}

/** The command that reproduces a run. */
function command(r: RunRef): string {
  if (r.example) return `the example scenario of ${r.path} with seed ${seedOf(r)}`;
  return `npx kafkasim run ${r.path} --seed ${seedOf(r)}${r.edit ? ` ${r.edit.flags}` : ''}`;
}

/** Runs whose trace some claim reads (by command). */
const TRACED = new Set(CLAIMS.filter((c) => c.trace).flatMap((c) => c.runs.map(command)));
const traces = new WeakMap<RunSummary, TraceEvent[]>();

/** The trace of a run of a claim with `trace: true`. */
function eventsOf(s: RunSummary): TraceEvent[] {
  const events = traces.get(s);
  if (!events) throw new Error('eventsOf: the claim needs `trace: true`');
  return events;
}

/** The scenario as the file says, with a what-if applied to its YAML before parsing. */
function edited(path: string, apply: (raw: Record<string, unknown>) => void): Scenario {
  const raw = parse(readFileSync(`${ROOT}${path}`, 'utf8')) as Record<string, unknown>;
  apply(raw);
  return parseScenario(JSON.stringify(raw), path);
}

function run(r: RunRef): RunSummary {
  const key = command(r);
  let s = runs.get(key);
  if (!s) {
    const sink = TRACED.has(key) ? new ArraySink() : undefined;
    s = simulate(r.edit ? edited(r.path, r.edit.apply) : scenarioOf(r.path), { seed: seedOf(r), sinks: sink ? [sink] : [] });
    if (sink) traces.set(s, sink.events);
    runs.set(key, s);
  }
  return s;
}

const collapse = (text: string): string => text.replace(/\s+/g, ' ');
const docText = new Map(DOCS.map((d) => [d, collapse(readFileSync(`${ROOT}${d}`, 'utf8'))]));

describe('figures in the docs', () => {
  it.each(CLAIMS.map((claim, i) => [`${claim.doc}: ${claim.text.slice(0, 70)} (${[...new Set(claim.runs.map((r) => r.path))].join(', ')}) #${i}`, claim] as const))('%s', (_, claim) => {
    const doc = docText.get(claim.doc);
    expect(doc, `${claim.doc} is not in DOCS`).toBeDefined();
    const rendered = claim.render(...claim.runs.map(run));
    const where = `${claim.doc}\n  claim:    ${claim.text}\n  the run:  ${rendered}\n  reproduce: ${claim.runs.map(command).join(' ; ')}`;
    expect(doc?.includes(claim.text), `the doc no longer says this (edit the claim with the doc)\n  ${where}`).toBe(true);
    expect(rendered, `the run gives another figure: fix the doc and the claim\n  ${where}`).toBe(claim.text);
  });

  it.each(DOCS)('every figure in a run command comment or an outcome in bold in %s is claimed', (d) => {
    const claims = CLAIMS.filter((x) => x.doc === d).map((x) => x.text);
    /** Numbers in `text` (found at `start` of `within`) that no claim's occurrence in `within` covers. */
    const unclaimedIn = (within: string, start: number, text: string): string[] => {
      const covered: [number, number][] = [];
      for (const c of claims) for (let i = within.indexOf(c); i >= 0; i = within.indexOf(c, i + 1)) covered.push([i, i + c.length]);
      return [...text.matchAll(/\d[\d,.]*/g)].flatMap((num) => {
        const p = start + (num.index ?? 0);
        return covered.some(([a, b]) => a <= p && p < b) ? [] : [`${num[0]} in "${text}"`];
      });
    };
    const unclaimed: string[] = [];
    // Comments after `npx kafkasim run <file> [flags]`, line by line.
    for (const line of readFileSync(`${ROOT}${d}`, 'utf8').split('\n')) {
      const m = /kafkasim run .*? # (.*)$/.exec(collapse(line));
      if (m?.[1]) unclaimed.push(...unclaimedIn(m.input, m.input.length - m[1].length, m[1]));
    }
    // Bold phrases, where bold is an outcome (they may wrap across lines: searched in the collapsed doc).
    const doc = docText.get(d) ?? '';
    for (const m of BOLD_OUTCOMES.includes(d) ? doc.matchAll(/\*\*[^*]+\*\*/g) : []) unclaimed.push(...unclaimedIn(doc, m.index ?? 0, m[0]));
    expect(unclaimed, `figures in ${d} that no claim in test/docs/figures.test.ts checks`).toEqual([]);
  });
});
