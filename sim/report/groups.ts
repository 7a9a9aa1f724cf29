/**
 * Consumer groups as `kafka-consumer-groups --describe` shows them, read from the trace alone: per group
 * and partition the committed offset (CURRENT-OFFSET), the partition's high watermark (LOG-END-OFFSET:
 * what ListOffsets LATEST gives a consumer), the LAG between them, and the member that owns it
 * (CONSUMER-ID, HOST, CLIENT-ID). Also each group's rebalances and its lag over time. Snapshots can be
 * taken at any simulated time (`at`), besides the one at the end.
 */
import type { GroupState, HeaderEvent, TraceEvent, TraceSink } from '../trace/events.js';

/** What the report reads of the timeline: each partition's leader and its replicas' high watermarks. */
export interface PartitionOffsets {
  readonly partitions: ReadonlyMap<string, { readonly leader: number; readonly offsets: Readonly<Record<string, { readonly hw: number }>> }>;
}

export interface GroupRow {
  group: string;
  topic: string;
  partition: number;
  /** The committed offset, null when none ("-"). */
  currentOffset: number | null;
  logEndOffset: number;
  lag: number | null;
  /** The owner's member id, client and host, "-" when no active member owns it. */
  consumerId: string;
  host: string;
  clientId: string;
}

export interface GroupDescription {
  atMs: number;
  group: string;
  coordinator: number;
  state: GroupState;
  /** The generation; for a KIP-848 group (`consumerProtocol`) the group epoch. */
  generation: number;
  protocol: string;
  members: string[];
  rows: GroupRow[];
  /** A KIP-848 group (group.protocol=consumer). */
  consumerProtocol?: boolean;
}

export interface GroupSummary extends GroupDescription {
  /** Rebalances started (transitions to PreparingRebalance; for a KIP-848 group, group epoch bumps). */
  rebalances: number;
  /** Members that left or were removed. */
  removed: number;
  /** Offset commits that failed. */
  failedCommits: number;
  /** Sum of the partitions' lag at the end; one without a committed offset counts its whole log. */
  totalLag: number;
  /**
   * Partition-seconds without an owner after the group's first assignment: the stop-the-world of eager
   * rebalances (every member revokes everything), or a partition waiting for its next owner.
   */
  pausedPartitionSeconds: number;
  /** Lag per partition over time: [ms, lag] (lag from the committed offset; absent while none is committed). */
  lag: Array<{ partition: string; points: Array<[number, number]> }>;
}

interface GroupTrack {
  coordinator: number;
  state: GroupState;
  generation: number;
  protocol: string;
  members: string[];
  rebalances: number;
  removed: number;
  failedCommits: number;
  /** A KIP-848 group (group.protocol=consumer): its generation is the group epoch. */
  consumerProtocol: boolean;
  topics: Set<string>;
  /** After its first assignment: since when each partition has had no owner (absent: owned). */
  unowned: Map<string, number> | null;
  pausedUs: number;
  committed: Map<string, number>;
  owner: Map<string, { consumer: string; memberId: string }>;
  lag: Map<string, Array<[number, number]>>;
}

/**
 * Fed by the timeline (sim/report/timeline.ts): every event it sees goes through `event` or `tick` first,
 * and the high watermarks are the timeline's, so the report works in summary mode too.
 */
export class GroupsReport implements TraceSink {
  private readonly groups = new Map<string, GroupTrack>();
  private readonly partitions = new Map<string, number>();
  private nextSampleUs = 0;
  private sampleUs = 1_000_000;
  /** Snapshots taken at the times asked for (µs, ascending). */
  readonly snapshots: GroupDescription[] = [];

  constructor(
    private readonly timeline: PartitionOffsets,
    private readonly at: number[] = [],
  ) {
    this.at = [...at].sort((a, b) => a - b);
  }

  /** Before an event at `t`: lag samples and snapshots that are due (cheap when none is). */
  tick(t: number): void {
    if (t >= this.nextSampleUs || (this.at.length > 0 && t >= this.at[0]!)) this.due(t);
  }

  /** The log end offset a consumer sees (ListOffsets LATEST): the leader's high watermark. */
  private logEnd(tp: string): number {
    const row = this.timeline.partitions.get(tp);
    if (row === undefined) return 0;
    const lead = row.offsets[row.leader];
    if (lead !== undefined) return lead.hw;
    let hw = 0;
    for (const o of Object.values(row.offsets)) hw = Math.max(hw, o.hw);
    return hw;
  }

  event(ev: TraceEvent): void {
    this.tick(ev.t);
    switch (ev.type) {
      case 'header':
        return this.onHeader(ev);
      case 'partitions':
        this.partitions.set(ev.topic, (this.partitions.get(ev.topic) ?? 0) + ev.replicas.length);
        return;
      case 'group': {
        const g = this.groups.get(ev.group);
        if (g === undefined) return;
        if (ev.state === 'PreparingRebalance' && g.state !== 'PreparingRebalance') g.rebalances++;
        else if (ev.generation > g.generation && g.state !== 'PreparingRebalance') {
          // A KIP-848 group (it never prepares a rebalance): every group epoch bump is one (a new target
          // assignment follows each).
          g.rebalances++;
          g.consumerProtocol = true;
        }
        if (ev.state === 'Assigning' || ev.state === 'Reconciling') g.consumerProtocol = true;
        if (/member \S+ \(\S+\) (was removed|left the group)/.test(ev.reason)) g.removed++;
        Object.assign(g, { coordinator: ev.coordinator, state: ev.state, generation: ev.generation, protocol: ev.protocol ?? '', members: ev.members });
        return;
      }
      case 'assignment':
        return this.onAssignment(ev);
      case 'commit': {
        const g = this.groups.get(ev.group);
        if (g === undefined) return;
        if (ev.error === 'NONE') for (const o of ev.offsets) g.committed.set(o.tp, o.offset);
        else g.failedCommits++;
        return;
      }
    }
  }

  private onHeader(h: HeaderEvent): void {
    for (const t of h.topics) this.partitions.set(t.name, t.partitions);
    this.sampleUs = Math.max(1_000_000, Math.ceil(h.durationUs / 120 / 1_000_000) * 1_000_000);
    for (const c of h.consumers) {
      if (c.group === undefined) continue;
      let g = this.groups.get(c.group);
      if (g === undefined) {
        g = {
          coordinator: -1,
          state: 'Empty',
          generation: 0,
          unowned: null,
          pausedUs: 0,
          protocol: '',
          members: [],
          rebalances: 0,
          consumerProtocol: false,
          removed: 0,
          failedCommits: 0,
          topics: new Set(),
          committed: new Map(),
          owner: new Map(),
          lag: new Map(),
        };
        this.groups.set(c.group, g);
      }
      g.topics.add(c.topic);
    }
  }

  private onAssignment(ev: Extract<TraceEvent, { type: 'assignment' }>): void {
    const g = this.groups.get(ev.group);
    if (g === undefined) return;
    if (g.unowned === null && ev.added.length > 0) g.unowned = new Map(this.partitionsOf(g).map((tp) => [tp, ev.t]));
    for (const tp of [...ev.revoked, ...ev.lost]) {
      if (g.owner.get(tp)?.consumer !== ev.consumer) continue;
      g.owner.delete(tp);
      g.unowned?.set(tp, ev.t);
    }
    for (const tp of ev.partitions) {
      g.owner.set(tp, { consumer: ev.consumer, memberId: ev.memberId });
      const since = g.unowned?.get(tp);
      if (since === undefined) continue;
      g.pausedUs += ev.t - since;
      g.unowned!.delete(tp);
    }
  }

  /** Lag samples due before `t`, and snapshots asked for. */
  private due(t: number): void {
    while (this.at.length > 0 && t >= this.at[0]!) this.snapshots.push(...this.describeAll(this.at.shift()!));
    while (t >= this.nextSampleUs) {
      const ms = this.nextSampleUs / 1000;
      for (const g of this.groups.values()) {
        for (const tp of this.partitionsOf(g)) {
          const c = g.committed.get(tp);
          if (c === undefined) continue;
          let pts = g.lag.get(tp);
          if (pts === undefined) g.lag.set(tp, (pts = []));
          pts.push([ms, Math.max(0, this.logEnd(tp) - c)]);
        }
      }
      this.nextSampleUs += this.sampleUs;
    }
  }

  private partitionsOf(g: GroupTrack): string[] {
    const out: string[] = [];
    for (const t of [...g.topics].sort()) for (let i = 0; i < (this.partitions.get(t) ?? 0); i++) out.push(`${t}-${i}`);
    return out;
  }

  describeAll(atUs: number): GroupDescription[] {
    return [...this.groups.keys()].sort().map((id) => this.describe(id, atUs));
  }

  private describe(id: string, atUs: number): GroupDescription {
    const g = this.groups.get(id)!;
    const rows = this.partitionsOf(g).map((tp): GroupRow => {
      const i = tp.lastIndexOf('-');
      const c = g.committed.get(tp);
      const end = this.logEnd(tp);
      const o = g.owner.get(tp);
      return {
        group: id,
        topic: tp.slice(0, i),
        partition: Number(tp.slice(i + 1)),
        currentOffset: c ?? null,
        logEndOffset: end,
        lag: c === undefined ? null : Math.max(0, end - c),
        consumerId: o?.memberId ?? '-',
        host: o === undefined ? '-' : `/c:${o.consumer}`,
        clientId: o?.consumer ?? '-',
      };
    });
    return {
      atMs: atUs / 1000,
      group: id,
      coordinator: g.coordinator,
      state: g.state,
      generation: g.generation,
      protocol: g.protocol,
      members: [...g.members],
      rows,
      ...(g.consumerProtocol ? { consumerProtocol: true } : {}),
    };
  }

  /** Each group at the end of the run, with its rebalances and lag over time. */
  summaries(endUs: number): GroupSummary[] {
    this.tick(endUs);
    return this.describeAll(endUs).map((d) => {
      const g = this.groups.get(d.group)!;
      const totalLag = d.rows.reduce((n, r) => n + (r.lag ?? r.logEndOffset), 0);
      let pausedUs = g.pausedUs;
      for (const since of g.unowned?.values() ?? []) pausedUs += endUs - since;
      const pausedPartitionSeconds = Math.round(pausedUs / 1e5) / 10;
      return {
        ...d,
        rebalances: g.rebalances,
        removed: g.removed,
        failedCommits: g.failedCommits,
        totalLag,
        pausedPartitionSeconds,
        lag: [...g.lag].map(([partition, points]) => ({ partition, points })),
      };
    });
  }
}

/** A description as kafka-consumer-groups --describe prints it. */
export function formatGroup(d: GroupDescription): string {
  const head = ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'];
  const body = d.rows.map((r) => [
    r.group,
    r.topic,
    String(r.partition),
    r.currentOffset === null ? '-' : String(r.currentOffset),
    String(r.logEndOffset),
    r.lag === null ? '-' : String(r.lag),
    r.consumerId,
    r.host,
    r.clientId,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join(' ')
      .trimEnd();
  const epoch = d.consumerProtocol === true ? `group epoch ${d.generation} (consumer protocol)` : `generation ${d.generation}`;
  const title = `Consumer group '${d.group}' at ${d.atMs / 1000} s: ${d.state}, ${epoch}${d.protocol ? `, assignor ${d.protocol}` : ''}, coordinator broker ${d.coordinator < 0 ? 'none' : d.coordinator}, ${d.members.length} member(s)`;
  return [title, '', line(head), ...body.map(line)].join('\n');
}
