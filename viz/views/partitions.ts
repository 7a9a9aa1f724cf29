/**
 * The partition view: per partition, each replica's log as a bar of records by offset, colored by state
 * (only on the leader, replicated, committed, acknowledged), with LEO and HW markers, the leader badge,
 * ISR/ELR membership, leader-epoch boundaries, truncated ranges (hatched) and lost acknowledged records.
 */
import * as d3 from 'd3';
import { recordRuns, type Frame, type PartitionView } from '../frames.js';
import { ensure, type Size } from './cluster.js';
import { BROKER_COLORS, RECORD_COLORS } from './colors.js';

export type LogWindow = 'whole' | 'tail';

export interface PartitionOptions {
  window: LogWindow;
  /** Offsets shown in tail mode. */
  tail?: number;
  large?: boolean;
}

/** The height the view needs for this frame. */
export function partitionsHeight(frame: Frame, opts: PartitionOptions): number {
  const m = metrics(opts);
  let h = 4;
  for (const p of Object.values(frame.partitions)) h += blockHeight(p, m);
  return Math.max(h, 40);
}

function metrics(opts: PartitionOptions): { title: number; row: number; gap: number; label: number; right: number; lost: number } {
  const k = opts.large ? 1.35 : 1;
  return { title: 22 * k, row: 17 * k, gap: 6 * k, label: 118 * k, right: 150 * k, lost: 16 * k };
}

function blockHeight(p: PartitionView, m: ReturnType<typeof metrics>): number {
  return m.title + p.replicas.length * (m.row + m.gap) + (p.lostCount > 0 ? m.lost : 0) + 12;
}

const list = (xs: readonly number[]): string => `[${xs.join(',')}]`;

export function drawPartitions(svgEl: SVGSVGElement, frame: Frame, size: Size, opts: PartitionOptions): void {
  const m = metrics(opts);
  const height = partitionsHeight(frame, opts);
  const svg = d3.select(svgEl).attr('viewBox', `0 0 ${size.width} ${height}`).attr('width', size.width).attr('height', height);
  defs(svg);
  const parts = Object.values(frame.partitions);
  const tops: number[] = [];
  let y = 4;
  for (const p of parts) {
    tops.push(y);
    y += blockHeight(p, m);
  }
  const x0 = m.label;
  const x1 = Math.max(x0 + 50, size.width - m.right);

  const blocks = ensure(svg, 'g.parts')
    .selectAll<SVGGElement, PartitionView>('g.partition')
    .data(parts, (d) => d.tp)
    .join((enter) => {
      const e = enter.append('g').attr('class', 'partition');
      e.append('rect').attr('class', 'bg');
      e.append('text').attr('class', 'ptitle');
      e.append('text').attr('class', 'pinfo');
      e.append('g').attr('class', 'rows');
      e.append('g').attr('class', 'lost');
      return e;
    })
    .attr('transform', (_, k) => `translate(0,${tops[k]})`)
    .attr('data-testid', (d) => `partition-${d.tp}`)
    .attr('data-leader', (d) => d.leader)
    .attr('data-epoch', (d) => d.leaderEpoch)
    .attr('data-isr', (d) => d.isr.join(','))
    .attr('data-elr', (d) => d.elr.join(','))
    .attr('data-lost', (d) => d.lostCount);

  blocks
    .select('rect.bg')
    .attr('x', 0)
    .attr('y', 0)
    .attr('width', size.width)
    .attr('height', (d) => blockHeight(d, m) - 6)
    .attr('rx', 4)
    .attr('class', (d) => `bg${d.leader < 0 ? ' offline' : d.isr.length < d.minIsr ? ' underminisr' : d.isr.length < d.replicas.length ? ' urp' : ''}`);
  blocks
    .select('text.ptitle')
    .attr('x', 6)
    .attr('y', m.title - 7)
    .text((d) => d.tp);
  blocks
    .select('text.pinfo')
    .attr('x', m.label)
    .attr('y', m.title - 7)
    .attr('data-testid', (d) => `partition-info-${d.tp}`)
    .text((d) => {
      const leader = d.leader < 0 ? 'OFFLINE (no leader)' : `leader b${d.leader}`;
      let s = `${leader} · epoch ${d.leaderEpoch} · ISR ${list(d.isr)}`;
      if (d.elr.length > 0) s += ` · ELR ${list(d.elr)}`;
      s += ` · min.insync ${d.minIsr}`;
      if (d.leader >= 0 && d.isr.length < d.minIsr) s += ' · below min ISR';
      else if (d.isr.length < d.replicas.length) s += ' · under-replicated';
      if (d.lastElection !== undefined && !d.lastElection.clean) s += ' · last election UNCLEAN';
      return s;
    });

  blocks.each(function (p) {
    const g = d3.select(this);
    const maxLeo = Math.max(0, ...Object.values(p.logs).map((l) => l.leo));
    const maxOff = Math.max(10, maxLeo, ...p.truncated.map((t) => t.end), ...p.lost.map((t) => t.end));
    const tail = opts.tail ?? 60;
    // Tail: the last offsets of the live logs (truncated and lost ranges are clipped to it).
    const domain: [number, number] = opts.window === 'tail' ? [Math.max(0, maxLeo - tail), Math.max(maxLeo, tail) + 2] : [0, maxOff];
    const x = d3.scaleLinear().domain(domain).range([x0, x1]).clamp(true);
    const pxPerOffset = (x1 - x0) / (domain[1] - domain[0]);

    const rows = g
      .select('g.rows')
      .selectAll<SVGGElement, number>('g.replica')
      .data(p.replicas, (b) => String(b))
      .join((enter) => {
        const e = enter.append('g').attr('class', 'replica');
        e.append('circle').attr('class', 'state');
        e.append('text').attr('class', 'rname');
        e.append('text').attr('class', 'rbadge');
        e.append('rect').attr('class', 'track');
        e.append('g').attr('class', 'runs');
        e.append('g').attr('class', 'cells');
        e.append('g').attr('class', 'trunc');
        e.append('g').attr('class', 'epochs');
        e.append('line').attr('class', 'hw');
        e.append('line').attr('class', 'leo');
        e.append('text').attr('class', 'offsets');
        return e;
      })
      .attr('transform', (_, k) => `translate(0,${m.title + k * (m.row + m.gap)})`)
      .attr('data-testid', (b) => `replica-${p.tp}-b${b}`)
      .attr('data-leo', (b) => p.logs[b]?.leo ?? 0)
      .attr('data-hw', (b) => p.logs[b]?.hw ?? 0)
      .attr('data-in-isr', (b) => String(p.isr.includes(b)));

    rows
      .select('circle.state')
      .attr('cx', 10)
      .attr('cy', m.row / 2)
      .attr('r', 4.5)
      .attr('fill', (b) => BROKER_COLORS[frame.brokers[b]?.state ?? 'up']);
    rows
      .select('text.rname')
      .attr('x', m.label * 0.17)
      .attr('y', m.row / 2)
      .attr('dominant-baseline', 'central')
      .attr('class', (b) => `rname${b === p.leader ? ' leader' : ''}`)
      .text((b) => (b === p.leader ? `★ b${b}` : `b${b}`));
    rows
      .select('text.rbadge')
      .attr('x', m.label * 0.52)
      .attr('y', m.row / 2)
      .attr('dominant-baseline', 'central')
      .attr('class', (b) => `rbadge ${p.isr.includes(b) ? 'isr' : p.elr.includes(b) ? 'elr' : 'out'}`)
      .text((b) => (p.isr.includes(b) ? 'ISR' : p.elr.includes(b) ? 'ELR' : 'out of ISR'));
    rows
      .select('rect.track')
      .attr('x', x0)
      .attr('y', 0)
      .attr('width', x1 - x0)
      .attr('height', m.row);

    rows.each(function (b) {
      const r = d3.select(this);
      const log = p.logs[b];
      const runs = recordRuns(p, b).filter((s) => s.end > domain[0] && s.start < domain[1]);
      r.select('g.runs')
        .selectAll('rect')
        .data(runs)
        .join('rect')
        .attr('x', (s) => x(s.start))
        .attr('y', 0)
        .attr('width', (s) => Math.max(0.5, x(s.end) - x(s.start)))
        .attr('height', m.row)
        .attr('fill', (s) => RECORD_COLORS[s.state])
        .attr('data-state', (s) => s.state)
        .selectAll('title')
        .data((s) => [s])
        .join('title')
        .text((s) => `b${b} offsets ${s.start}–${s.end - 1}: ${s.state}`);
      // Cell dividers when cells are wide enough to see.
      const lo = Math.ceil(domain[0]);
      const hi = Math.min(log?.leo ?? 0, Math.floor(domain[1]));
      // One path for all dividers: a line element per offset made every frame slow (thousands of nodes).
      let cells = '';
      if (pxPerOffset >= 5 && hi - lo <= 400) for (let o = lo; o <= hi; o++) cells += `M${x(o).toFixed(1)} 0V${m.row}`;
      const cellPath = r.select('g.cells').selectAll('path').data(cells === '' ? [] : [cells]).join('path');
      if (cells !== '' && cellPath.attr('d') !== cells) cellPath.attr('d', cells);
      const trunc = p.truncated.filter((t) => t.broker === b && t.end > domain[0] && t.start < domain[1]);
      r.select('g.trunc')
        .selectAll('rect')
        .data(trunc)
        .join('rect')
        .attr('x', (t) => x(t.start))
        .attr('y', m.row - 5)
        .attr('width', (t) => Math.max(2, x(t.end) - x(t.start)))
        .attr('height', 5)
        .attr('fill', 'url(#hatch)')
        .attr('data-testid', 'truncated')
        .selectAll('title')
        .data((t) => [t])
        .join('title')
        .text((t) => `b${b} truncated offsets ${t.start}–${t.end - 1} (${t.reason}) at ${(t.t / 1e6).toFixed(3)} s`);
      const epochs = (log?.epochs ?? []).filter((e, k) => k > 0 && e.start >= domain[0] && e.start <= domain[1]);
      const eg = r
        .select('g.epochs')
        .selectAll<SVGGElement, { epoch: number; start: number }>('g')
        .data(epochs)
        .join((enter) => {
          const e = enter.append('g');
          e.append('line');
          e.append('text');
          return e;
        })
        .attr('transform', (e) => `translate(${x(e.start)},0)`);
      eg.select('line').attr('y1', -2).attr('y2', m.row + 2);
      eg.select('text').attr('x', 2).attr('y', 9).text((e) => `e${e.epoch}`);
      const hw = log?.hw ?? 0;
      const leo = log?.leo ?? 0;
      r.select('line.hw').attr('x1', x(hw)).attr('x2', x(hw)).attr('y1', -3).attr('y2', m.row + 3);
      r.select('line.leo').attr('x1', x(leo)).attr('x2', x(leo)).attr('y1', -3).attr('y2', m.row + 3);
      r.select('text.offsets')
        .attr('x', x1 + 6)
        .attr('y', m.row / 2)
        .attr('dominant-baseline', 'central')
        .text(`LEO ${leo} · HW ${hw}`);
    });

    // Lost acknowledged records.
    const lostG = g.select('g.lost').attr('transform', `translate(0,${m.title + p.replicas.length * (m.row + m.gap)})`);
    const lost = p.lostCount > 0 ? p.lost : [];
    lostG
      .selectAll('rect')
      .data(lost.filter((l) => l.end > domain[0] && l.start < domain[1]))
      .join('rect')
      .attr('x', (l) => x(l.start))
      .attr('y', 0)
      .attr('width', (l) => Math.max(2, x(l.end) - x(l.start)))
      .attr('height', m.lost - 6)
      .attr('class', 'lostrange')
      .selectAll('title')
      .data((l) => [l])
      .join('title')
      .text((l) => `${l.end - l.start} acknowledged record(s) at offsets ${l.start}–${l.end - 1} lost (${l.reason} on b${l.broker})`);
    lostG
      .selectAll('text')
      .data(lost.length > 0 ? [p] : [])
      .join('text')
      .attr('x', 6)
      .attr('y', m.lost - 7)
      .attr('class', 'losttext')
      .attr('data-testid', `lost-${p.tp}`)
      .text((d) => `LOST ${d.lostCount}`)
      .append('title')
      .text((d) => `${d.lostCount} acknowledged record(s) are on no replica: ${[...new Set(d.lost.map((l) => `${l.reason} on b${l.broker}`))].join(', ')}`);
  });
}

function defs(svg: d3.Selection<SVGSVGElement, unknown, null, undefined>): void {
  if (!svg.select('defs').empty()) return;
  const pat = svg.append('defs').append('pattern').attr('id', 'hatch').attr('patternUnits', 'userSpaceOnUse').attr('width', 4).attr('height', 4).attr('patternTransform', 'rotate(45)');
  pat.append('rect').attr('width', 4).attr('height', 4).attr('fill', '#fbe3e4');
  pat.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 4).attr('stroke', '#c0141a').attr('stroke-width', 2);
}
