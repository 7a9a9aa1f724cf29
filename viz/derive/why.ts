/**
 * "Why was this record lost?": the chain of events, read from the trace, that took acknowledged records
 * off every replica. For a lost range of a partition (viz/frames.ts `LostRange`):
 *
 * 1. the write: which leader appended the records, in which leader epoch;
 * 2. the acknowledgement: with which acks, and what the partition looked like at that moment (the high
 *    watermark, which replicas had the records, the ISR);
 * 3. what happened between then and the loss: faults, fencing, ISR changes and elections of that
 *    partition, each election saying whether the new leader had the records;
 * 4. the loss: the truncation (or power loss) that removed the last copy, and what each replica holds;
 *
 * and the lessons those facts support (acks below all, an unclean election, an ISR of one, unflushed data
 * lost with power, the pre-KIP-101 truncation rule).
 */
import { type AppendEvent, type HeaderEvent, type TraceEvent, TRUNCATION_SHORT } from '../../sim/index.js';
import { epochRange, type Frame, type LostRange, type TraceIndex } from './frames.js';
import { fmtTime, type NarrativeItem, type NarrativeKind } from './narrative.js';

export interface WhyStep {
  /** Event index: clicking the step seeks there. */
  i: number;
  t: number;
  kind: NarrativeKind | 'write' | 'ack' | 'lost';
  text: string;
}

export interface WhyLost {
  title: string;
  steps: WhyStep[];
  /** What the facts above say about the configuration. */
  lessons: string[];
}

/** Context lines kept between the write and the loss (elections and truncations of the partition always). */
const MAX_CONTEXT = 14;

const offsets = (start: number, end: number): string => (end - start === 1 ? `offset ${start}` : `offsets ${start}–${end - 1}`);
const list = (xs: readonly number[]): string => `[${xs.join(',')}]`;
const acksName = (acks: number | undefined): string => (acks === undefined ? '?' : acks === -1 ? 'all' : String(acks));

/** Does `broker`'s log in frame `f` hold [start, end) written in `epoch`? */
function holds(f: Frame, tp: string, broker: number, epoch: number, start: number, end: number): boolean {
  const log = f.partitions[tp]?.logs[broker];
  if (log === undefined) return false;
  const r = epochRange(log, epoch);
  return r.start <= start && r.end >= end;
}

/** What the steps of one explanation share. */
interface Explaining {
  index: TraceIndex;
  events: readonly TraceEvent[];
  items: readonly NarrativeItem[];
  tp: string;
  lost: LostRange;
  /** "offsets 4–9". */
  what: string;
  steps: WhyStep[];
  lessons: string[];
}

type AckEvent = Extract<TraceEvent, { type: 'ack' }>;

/** The partition at the first acknowledgement. */
interface AtAck {
  committed: boolean;
  isr: number[];
  minIsr: number;
}

export function explainLoss(index: TraceIndex, items: readonly NarrativeItem[], tp: string, lost: LostRange): WhyLost {
  const events = index.events;
  const what = offsets(lost.start, lost.end);
  const title = `Why ${lost.end - lost.start} acknowledged record(s) of ${tp} (${what}, leader epoch ${lost.epoch}) were lost`;
  const x: Explaining = { index, events, items, tp, lost, what, steps: [], lessons: [] };

  // 1–2. The leader's appends of these records (produce requests, in their epoch) and their acknowledgements.
  const { write, acks } = writesOf(x);
  if (write !== undefined) {
    const w = write.ev;
    x.steps.push({
      i: write.i,
      t: w.t,
      kind: 'write',
      text: `leader b${w.broker} appended ${offsets(w.offset, w.offset + w.count)} in leader epoch ${w.epoch} (producer id ${w.pid}, sequence ${w.seq})`,
    });
  }
  const atAck = acks.length > 0 ? ackStep(x, acks) : { committed: true, isr: [], minIsr: 0 };

  // 3. What happened between the write and the loss.
  contextSteps(x, write?.i ?? acks[0]?.i ?? 0);

  // 4. The loss.
  lossStep(x);
  truncationLessons(x);
  if (atAck.committed && atAck.isr.length === 1) {
    x.lessons.push(
      `The records were committed while the ISR was just ${list(atAck.isr)} (min.insync.replicas=${atAck.minIsr}): committed meant one copy. min.insync.replicas=2 with acks=all would have refused the write instead.`,
    );
  }
  if (x.lessons.length === 0) {
    x.lessons.push(`The records were ${atAck.committed ? 'committed' : 'not committed'} when acknowledged; the steps above show which replica lost the last copy.`);
  }
  x.steps.sort((a, b) => a.i - b.i);
  return { title, steps: x.steps, lessons: x.lessons };
}

/** The first append of the lost records by their leader, and the acknowledgements of the batches appended. */
function writesOf({ events, tp, lost }: Explaining): { write?: { ev: AppendEvent; i: number }; acks: Array<{ ev: AckEvent; i: number }> } {
  let write: { ev: AppendEvent; i: number } | undefined;
  const batches = new Set<string>();
  const acks: Array<{ ev: AckEvent; i: number }> = [];
  for (let i = 1; i <= lost.i && i < events.length; i++) {
    const ev = events[i];
    if (ev.type === 'append') {
      if (ev.src === 'produce' && ev.tp === tp && ev.epoch === lost.epoch && ev.offset < lost.end && ev.offset + ev.count > lost.start) {
        write ??= { ev, i };
        batches.add(`${ev.pid}|${ev.seq}|${ev.offset}`);
      }
    } else if (ev.type === 'ack' && ev.tp === tp && ev.error === 'NONE' && batches.has(`${ev.pid}|${ev.seq}|${ev.offset}`)) {
      acks.push({ ev, i });
    }
  }
  return { write, acks };
}

/** The first acknowledgement: with which acks, the high watermark, who had the records, the ISR. */
function ackStep(x: Explaining, acks: Array<{ ev: AckEvent; i: number }>): AtAck {
  const { index, tp, lost } = x;
  const header = x.events[0]?.type === 'header' ? (x.events[0] as HeaderEvent) : undefined;
  const acksOf = new Map((header?.producers ?? []).map((p) => [p.name, p.acks]));
  const first = acks[0];
  const a = first.ev;
  const f = index.frameAt(first.i);
  const p = f.partitions[tp];
  const end = a.offset + a.count;
  const leader = p?.leader ?? -1;
  const hw = p?.logs[leader]?.hw ?? 0;
  const holders = (p?.replicas ?? []).filter((b) => holds(f, tp, b, lost.epoch, a.offset, end));
  const at: AtAck = { committed: hw >= end, isr: p?.isr ?? [], minIsr: p?.minIsr ?? 0 };
  const acksValue = acksOf.get(a.producer);
  const followers = holders.filter((b) => b !== leader);
  const copies = followers.length === 0 ? `only the leader b${leader} had them` : `b${[leader, ...followers].join(', b')} had them`;
  x.steps.push({
    i: first.i,
    t: a.t,
    kind: 'ack',
    text:
      `producer ${a.producer} got its acknowledgement (acks=${acksName(acksValue)}) for ${offsets(a.offset, end)} from its leader, broker ${leader}. ` +
      `At that moment the high watermark was ${hw}: the records were ${at.committed ? 'committed' : 'not committed yet'}; ${copies} (ISR ${list(at.isr)}, min.insync.replicas=${at.minIsr})` +
      (acks.length > 1 ? `. ${acks.length} acknowledgements cover the lost ${x.what}, the last at ${fmtTime(acks[acks.length - 1].ev.t)}` : ''),
  });
  if (!at.committed && acksValue !== -1) {
    x.lessons.push(
      `acks=${acksName(acksValue)}: the producer was told the records were written while ${followers.length === 0 ? 'only the leader had them' : 'the high watermark had not reached them'}. Only acks=all waits until every in-sync replica has them (and refuses writes when the ISR is smaller than min.insync.replicas).`,
    );
  }
  return at;
}

/** The partition's elections, ISR changes and truncations, and the faults, after `from` up to the loss. */
function contextSteps(x: Explaining, from: number): void {
  const { events, tp, lost } = x;
  const context = x.items.filter((it) => {
    if (it.i <= from || it.i > lost.i) return false;
    // Truncations of replicas (not a consumer noticing one).
    if (it.tp !== undefined) return it.tp === tp && (it.kind === 'election' || it.kind === 'isr' || (it.kind === 'truncate' && events[it.i]?.type === 'truncate'));
    return it.kind === 'fault' || it.kind === 'fence' || (it.kind === 'broker' && it.severe === true);
  });
  const keep = (it: NarrativeItem): boolean => it.kind === 'election' || it.kind === 'truncate';
  let others = context.filter((it) => !keep(it)).length;
  const shown = context.filter((it) => keep(it) || others-- <= MAX_CONTEXT);
  for (const it of shown) {
    if (it.i === lost.i) continue;
    const ev = events[it.i];
    const text = ev.type === 'election' && ev.leader >= 0 ? it.text + electionNote(x, it.i, ev) : it.text;
    x.steps.push({ i: it.i, t: it.t, kind: it.kind, text });
  }
}

/** Whether the leader an election chose had the records (and the lesson when it had not). */
function electionNote(x: Explaining, i: number, ev: Extract<TraceEvent, { type: 'election' }>): string {
  const { tp, lost } = x;
  const before = x.index.frameAt(i - 1);
  const had = holds(before, tp, ev.leader, lost.epoch, lost.start, lost.end);
  const leo = before.partitions[tp]?.logs[ev.leader]?.leo ?? 0;
  if (!had && ev.clean) {
    x.lessons.push(
      `b${ev.leader} was elected cleanly (it was in the ISR ${list(before.partitions[tp]?.isr ?? [])}) but no longer had the records: the ISR trusts its members to keep what they acknowledged, and b${ev.leader} had lost them (see the truncation above).`,
    );
  }
  if (!had && !ev.clean && ev.reason === 'lastKnownLeader') {
    x.lessons.push(
      `b${ev.leader} was elected as the last known leader (KIP-966): ISR and ELR were empty, and Kafka 4.x then elects the partition's last leader even with unclean.leader.election.enable=false, an unclean election. Back from an unclean shutdown, it had lost records it had acknowledged; the other replicas then truncate to its log.`,
    );
  } else if (!had && !ev.clean) {
    x.lessons.push(
      `b${ev.leader} was elected uncleanly: it was not in the ISR ${list(before.partitions[tp]?.isr ?? [])} (unclean.leader.election.enable=true). An unclean leader may lack committed records; the other replicas then truncate to its log.`,
    );
  }
  return had
    ? ` — b${ev.leader} had the records`
    : ` — b${ev.leader} did not have the records (its log ended at offset ${leo}${leo > lost.start ? ', with other records at these offsets' : ''}): from here its log is the partition's`;
}

/** The event that removed the last copy, and what each replica holds then. */
function lossStep(x: Explaining): void {
  const { events, tp, lost, what } = x;
  const lossEv = events[lost.i];
  const atLoss = x.index.frameAt(lost.i);
  const lossItem = x.items.find((it) => it.i === lost.i && it.kind === 'truncate');
  const p = atLoss.partitions[tp];
  const copies = (p?.replicas ?? []).map((b) => `b${b} LEO ${p?.logs[b]?.leo ?? 0}`).join(', ');
  if (lossEv?.type === 'ack') {
    x.steps.push({
      i: lost.i,
      t: lossEv.t,
      kind: 'lost',
      text: `the acknowledgement reached ${lossEv.producer} after every copy of ${what} was gone (b${lost.broker}: ${TRUNCATION_SHORT[lost.reason]}); no replica holds them (${copies})`,
    });
  } else {
    x.steps.push({
      i: lost.i,
      t: lost.t,
      kind: 'lost',
      text: `${lossItem?.text ?? `b${lost.broker} truncated ${tp} (${TRUNCATION_SHORT[lost.reason]})`}. No replica holds ${what} of epoch ${lost.epoch} any more (${copies})`,
    });
  }
}

/** Truncations along the way that removed some of these records, by reason. */
function truncationLessons(x: Explaining): void {
  const { events, tp, lost } = x;
  const by = { powerLoss: new Set<number>(), highWatermark: new Set<number>(), diskFailure: new Set<number>() };
  for (const st of x.steps) {
    const ev = events[st.i];
    // It removed [to, to + removed): did that overlap the lost records?
    // Cutting to the leader's log (by epoch, or to its end) follows from the election, whose lesson says so.
    if (ev?.type !== 'truncate' || ev.reason === 'divergingEpoch' || ev.reason === 'leaderEndOffset') continue;
    if (ev.tp === tp && ev.to < lost.end && ev.to + ev.removed > lost.start) by[ev.reason].add(ev.broker);
  }
  const brokers = (xs: Set<number>): string => [...xs].map((b) => `b${b}`).join(', ');
  if (by.powerLoss.size > 0) {
    x.lessons.push(
      `${brokers(by.powerLoss)} lost power and with it what was not yet flushed to disk: Kafka acknowledges from the page cache and relies on replication for durability (log.flush.interval.messages defaults to Long.MAX_VALUE: flushing is left to the OS).`,
    );
  }
  if (by.diskFailure.size > 0) {
    x.lessons.push(
      `${brokers(by.diskFailure)} lost the disk holding this partition's log: a failed log directory takes its replicas with it (KIP-112), and only the other replicas still hold the records. Acknowledged records survive a disk failure only on replicas that had them: acks=all with min.insync.replicas of at least 2.`,
    );
  }
  if (by.highWatermark.size > 0) {
    x.lessons.push(
      `${brokers(by.highWatermark)} truncated to the high watermark when becoming a follower: the rule before KIP-101 (Kafka < 0.11), which removes acknowledged records above a follower's (lagging) high watermark. Since 0.11 followers truncate by leader epoch (OffsetsForLeaderEpoch).`,
    );
  }
}

/** The lost ranges of `tp` a click on the partition view or a narrative line refers to. */
export function lostAt(f: Frame, tp: string, opts: { i?: number; offset?: number }): LostRange | undefined {
  const lost = f.partitions[tp]?.lost ?? [];
  if (opts.i !== undefined) return lost.find((l) => l.i === opts.i);
  if (opts.offset !== undefined) return lost.find((l) => l.start <= opts.offset! && opts.offset! < l.end);
  return lost[lost.length - 1];
}
