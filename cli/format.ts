/**
 * The human-readable report of `kafkasim run`: pure functions from a RunSummary (and a few facts about
 * the invocation) to text, so they are unit-testable without running anything.
 */
import {
  CLIENT_OUTCOMES,
  formatBottleneck,
  formatGroup,
  formatUtilization,
  RECORD_COUNTERS,
  type ExpectEvaluation,
  type KafkaError,
  type RunSummary,
  type PartitionRow,
  type TimelineItem,
} from '../sim/index.js';

/** Facts about the invocation the summary does not hold. */
export interface RunReportInfo {
  /** The scenario file as the user named it. */
  file: string;
  /** Wall-clock time of the run, ms. */
  wallMs: number;
  /** The command that reproduces this run (`kafkasim run FILE --seed N ...`). */
  reproduce: string;
  /** The expect block's evaluation, when the scenario has one. */
  expect?: ExpectEvaluation;
  /** False when the expectations are shown but do not decide the exit code (a run cut short by --until). */
  expectEnforced?: boolean;
  /** Set when --no-expect skipped the scenario's expect block (the report says so). */
  expectSkipped?: boolean;
  /** Set when --until cut the run short: the time it stopped at, ms. */
  untilMs?: number;
  /** Where the trace went, if anywhere. */
  traceFile?: string;
  /** Show at most this many timeline entries (default 200); the rest are summarized in one line. */
  timelineLimit?: number;
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `kafkasim run FILE --seed N [flags...]`, shell-quoted. */
export function reproduceCommand(file: string, seed: number, flags: string[] = []): string {
  return ['kafkasim', 'run', file, '--seed', String(seed), ...flags].map(shellQuote).join(' ');
}

/** Left-aligned columns (numbers right-aligned when `right` says so), two spaces apart, no trailing spaces. */
export function table(rows: string[][], right: boolean[] = []): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows.map((r) =>
    r
      .map((c, i) => {
        const pad = ' '.repeat(widths[i]! - [...c].length);
        return right[i] ? pad + c : i === r.length - 1 ? c : c + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

const indent = (lines: string[], by = '  '): string[] => lines.map((l) => (l ? by + l : l));

function ms(v: number): string {
  return v.toFixed(3);
}

/** Seconds with millisecond precision: `12.345 s`. */
export function seconds(atMs: number): string {
  return `${(atMs / 1000).toFixed(3)} s`;
}

function wall(msValue: number): string {
  return msValue >= 1000 ? `${(msValue / 1000).toFixed(2)} s` : `${Math.round(msValue)} ms`;
}

// ---------------------------------------------------------------------------------------------------
// Sections

export function formatHeader(s: RunSummary, info: RunReportInfo): string[] {
  const speed = info.wallMs > 0 ? ` (${(s.simulatedMs / info.wallMs).toFixed(1)}× real time)` : '';
  const rows: string[][] = [
    ['scenario', `${s.scenario}  (${info.file})`],
    ['seed', String(s.seed)],
    ['kafka', `${s.kafkaVersion} profile`],
    ['simulated', `${seconds(s.simulatedMs)}${info.untilMs !== undefined ? `  (stopped early by --until ${seconds(info.untilMs)})` : ''}`],
    ['wall time', `${wall(info.wallMs)}${speed}`],
    ['trace hash', s.traceHash],
    ['events', `${s.events} trace events, ${s.kernelEvents} kernel events`],
  ];
  if (info.traceFile !== undefined) rows.push(['trace', info.traceFile === '-' ? 'stdout' : info.traceFile]);
  return ['run', ...indent(table(rows))];
}

export function formatRecords(s: RunSummary): string[] {
  const r = s.records;
  const rows = RECORD_COUNTERS.map((k) => [k, String(r[k] ?? 0)]);
  return ['records', ...indent(table(rows, [false, true]))];
}

export function formatLatency(s: RunSummary): string[] {
  const row = (name: string, p: RunSummary['latencyMs']['produce']) => (p.count === 0 ? [name, '-', '-', '-', '-', '0'] : [name, ms(p.p50), ms(p.p99), ms(p.p999), ms(p.max), String(p.count)]);
  const rows = [['', 'p50', 'p99', 'p99.9', 'max', 'count'], row('produce', s.latencyMs.produce), row('end-to-end', s.latencyMs.endToEnd)];
  return ['latency (ms)', ...indent(table(rows, [false, true, true, true, true, true]))];
}

/** The bottleneck, and each broker's busiest resources (utilization over the run). */
export function formatResources(s: RunSummary): string[] {
  if (s.bottleneck === null || s.resources === undefined) return [];
  const brokers = [...new Set(s.resources.filter((u) => u.node.startsWith('b')).map((u) => u.node))];
  const rows = brokers.map((node) => {
    const top = s.resources
      .filter((u) => u.node === node)
      .sort((a, b) => b.utilization - a.utilization)
      .slice(0, 3);
    return [node, top.map((u) => `${u.resource} ${formatUtilization(u.utilization)}`).join(', ')];
  });
  const why =
    s.bottleneck.resource === 'connection' ? 'the time a broker held one of its requests: a broker reads one request per connection at a time, and no resource is saturated' : 'busy time over the run';
  return [`bottleneck: ${formatBottleneck(s.bottleneck)} (${why})`, ...indent(table(rows))];
}

/** With several log directories: each broker's directories, their partitions and their disks' utilization (kafka-log-dirs --describe). */
export function formatLogDirs(s: RunSummary): string[] {
  if (s.logDirs === undefined) return [];
  const rows = [
    ['broker', 'dir', 'partitions', 'disk-write', 'disk-read'],
    ...s.logDirs.map((d) => [String(d.broker), d.dir, d.failed ? 'failed disk' : partitionList(d.partitions), formatUtilization(d.diskWrite), formatUtilization(d.diskRead)]),
  ];
  return ['log dirs (log.dirs: each its own disk; a new replica goes to the one with the fewest partitions)', ...indent(table(rows, [true, false, false, true, true]))];
}

/** A directory's partitions on one line: all of them up to 8, else the first 6 and how many in all (--json lists all). */
function partitionList(tps: readonly string[]): string {
  if (tps.length === 0) return '-';
  if (tps.length <= 8) return tps.join(' ');
  return `${tps.slice(0, 6).join(' ')} … (${tps.length} in all)`;
}

export function formatErrors(s: RunSummary): string[] {
  const entries = Object.entries(s.errors);
  if (entries.length === 0) return ['errors: none'];
  return [
    'errors (retried and final, as producers saw them)',
    ...indent(
      table(
        entries.map(([k, v]) => [k, String(v), CLIENT_OUTCOMES[k as KafkaError] ?? '']),
        [false, true, false],
      ),
    ),
  ];
}

export function formatTimeline(items: TimelineItem[], limit = 200): string[] {
  if (items.length === 0) return ['timeline: nothing happened'];
  const shown = items.length > limit ? items.slice(0, limit) : items;
  const width = Math.max(...shown.map((i) => seconds(i.atMs).length));
  const lines = shown.map((i) => `${seconds(i.atMs).padStart(width)}  ${i.text}`);
  if (items.length > limit) lines.push(`… ${items.length - limit} more (kafkasim run --json has them all)`);
  return ['timeline', ...indent(lines)];
}

/** Partitions the describe table lists; the rest are counted (all are in `--json`). */
export const DESCRIBE_MAX_ROWS = 100;

/**
 * The final state as a `kafka-topics --describe`-like table: every partition that has no leader, is
 * under-replicated or has an ELR, then the others, up to DESCRIBE_MAX_ROWS rows.
 */
export function formatDescribe(described: PartitionRow[]): string[] {
  if (described.length === 0) return ['final state: no topics'];
  const notable = (p: PartitionRow) => p.leader < 0 || p.isr.length < p.replicas.length || p.elr.length > 0 || p.lastKnownElr.length > 0;
  // __consumer_offsets: only its partitions in trouble (with offsets, the internal ones with records too).
  const all = described.filter((p) => !p.topic.startsWith('__') || notable(p) || Object.values(p.offsets).some((o) => o.leo > 0));
  const partitions = all.length <= DESCRIBE_MAX_ROWS ? all : [...all.filter(notable), ...all.filter((p) => !notable(p))].slice(0, DESCRIBE_MAX_ROWS);
  const omitted = all.length - partitions.length;
  // Kafka 4.x's describe adds Elr and LastKnownElr (KIP-966); shown here when a partition has one.
  const withElr = partitions.some((p) => p.elr.length > 0 || p.lastKnownElr.length > 0);
  const header = ['Topic', 'Partition', 'Leader', 'Replicas', 'Isr', ...(withElr ? ['Elr', 'LastKnownElr'] : []), 'LeaderEpoch', 'LEO/HW'];
  const rows = partitions.map((p) => {
    const brokers = [
      ...p.replicas,
      ...Object.keys(p.offsets)
        .map(Number)
        .filter((b) => !p.replicas.includes(b)),
    ];
    const offsets = brokers
      .filter((b) => p.offsets[b] !== undefined)
      .map((b) => `${b}:${p.offsets[b]!.leo}/${p.offsets[b]!.hw}`)
      .join(' ');
    return [
      p.topic,
      String(p.partition),
      p.leader < 0 ? 'none' : String(p.leader),
      p.replicas.join(','),
      p.isr.join(','),
      ...(withElr ? [p.elr.join(','), p.lastKnownElr.join(',')] : []),
      String(p.leaderEpoch),
      offsets,
    ];
  });
  const right = [false, true, true, false, false, ...(withElr ? [false, false] : []), true, false];
  const more = omitted > 0 ? [`  … and ${omitted.toLocaleString('en-US')} more partitions, not listed (leaderless and under-replicated ones come first; --json has them all)`] : [];
  return ['final state', ...indent(table([header, ...rows], right)), ...more];
}

export function formatBrokers(s: RunSummary): string[] {
  if (s.brokers.length === 0) return [];
  return [`brokers: ${s.brokers.map((b) => `${b.id} ${b.state}`).join(', ')}`];
}

/** Consumer groups (kafka-consumer-groups --describe) at the times asked for and at the end, and records read again. */
export function formatGroups(s: RunSummary): string[] {
  const lines: string[] = [];
  for (const d of [...s.groupSnapshots, ...s.groups]) {
    if (lines.length > 0) lines.push('');
    lines.push(...formatGroup(d).split('\n'));
    const g = s.groups.find((x) => x === d);
    if (g !== undefined) lines.push(`  rebalances: ${g.rebalances}`);
  }
  if (s.redelivered.length > 0) {
    lines.push('', 'records received again (at-least-once: processed before a crash or rebalance, not committed)');
    lines.push(...indent(table(s.redelivered.map((r) => [r.reader, r.partition, `${r.records} record(s)`, r.offsets, `again by ${r.consumers.join(', ')}`]))));
  }
  return lines;
}

/** Records below a reader's final position it never received (at-most-once: committed, or jumped over, before being read). */
export function formatSkipped(s: RunSummary): string[] {
  if (s.skipped.length === 0) return [];
  return [
    "records skipped (never received, below the reader's final position)",
    ...indent(table(s.skipped.map((r) => [r.reader, r.partition, `${r.records} record(s)`, r.offsets, `below position ${r.position}`]))),
  ];
}

export function formatViolations(s: RunSummary, reproduce: string): string[] {
  const lines: string[] = [];
  if (s.violations.length === 0) lines.push('violations: none');
  else {
    lines.push(`violations (${s.violations.length})`);
    for (const v of s.violations) lines.push(`  ✗ ${v.check}  ${v.partition}  at ${seconds(v.atMs)}: ${v.detail}  reproduce: ${reproduce}`);
  }
  const l = s.liveness;
  if (l !== undefined)
    lines.push(
      l.checked
        ? `liveness checks (write-answered, fully-replicated): checked over the last ${seconds(l.quietMs)} (quiet and healed; at least ${seconds(l.boundMs)} needed)`
        : `liveness checks (write-answered, fully-replicated): skipped: ${l.skipped}`,
    );
  if (s.lost.length > 0) {
    lines.push('lost acknowledged records');
    lines.push(...indent(table(s.lost.map((l) => [l.partition, `${l.records} record(s)`, l.offsets]))));
  }
  return lines;
}

export function formatExpect(e: ExpectEvaluation, reproduce: string, enforced = true): string[] {
  const failed = e.results.filter((r) => !r.ok).length;
  const verdict = e.passed ? `passed (${e.results.length} of ${e.results.length})` : `FAILED (${failed} of ${e.results.length} not met)`;
  const lines = [`expect: ${verdict}${enforced ? '' : ' — not enforced: the run was cut short by --until'}`];
  const rows = e.results.map((r) => [r.ok ? '✓' : '✗', r.what, r.expected, `(actual ${r.actual})`]);
  table(rows).forEach((line, i) => lines.push(`  ${line}${e.results[i]!.ok ? '' : `  reproduce: ${reproduce}`}`));
  return lines;
}

/** The whole report of `kafkasim run`, sections separated by blank lines, ending with a newline. */
export function formatRunReport(s: RunSummary, info: RunReportInfo): string {
  const sections: string[][] = [
    formatHeader(s, info),
    formatRecords(s),
    formatLatency(s),
    formatErrors(s),
    formatTimeline(s.timeline, info.timelineLimit),
    [...formatDescribe(s.partitions), ...formatBrokers(s)],
    formatViolations(s, info.reproduce),
  ];
  const resources = [...formatResources(s), ...formatLogDirs(s)];
  if (resources.length > 0) sections.splice(3, 0, resources);
  const groups = formatGroups(s);
  if (groups.length > 0) sections.splice(sections.length - 1, 0, groups);
  const skipped = formatSkipped(s);
  if (skipped.length > 0) sections.splice(sections.length - 1, 0, skipped);
  if (info.expect) sections.push(formatExpect(info.expect, info.reproduce, info.expectEnforced ?? true));
  else if (info.expectSkipped) sections.push(["expect: skipped (--no-expect): the scenario's expectations were not checked"]);
  return sections.map((lines) => lines.join('\n')).join('\n\n') + '\n';
}
