/**
 * The cluster view: brokers (colored by state), the controller, producers and consumers, the links
 * between them (cut links dashed red), and the messages in flight, each placed between its sender and
 * receiver by interpolating its send time and arrival time at the cursor's time.
 */
import * as d3 from 'd3';
import type { Flight, Frame } from '../frames.js';
import { BROKER_COLORS, MSG_COLORS } from './colors.js';

export interface Size {
  width: number;
  height: number;
}

interface NodePos {
  id: string;
  x: number;
  y: number;
  kind: 'broker' | 'controller' | 'producer' | 'consumer';
  label: string;
}

/** Where every node sits: controller on top, brokers in a row, producers left, consumers right. */
export function layout(frame: Frame, size: Size): Map<string, NodePos> {
  const pos = new Map<string, NodePos>();
  const brokers = Object.keys(frame.brokers).map(Number).sort((a, b) => a - b);
  const clients = Object.values(frame.clients);
  const producers = clients.filter((c) => c.kind === 'producer');
  const consumers = clients.filter((c) => c.kind === 'consumer');
  const { width: w, height: h } = size;
  const left = Math.min(w * 0.1, 70);
  const right = w - left;
  const bx = d3.scalePoint<number>().domain(brokers).range([Math.max(w * 0.2, 2 * left + 20), Math.min(w * 0.8, w - 2 * left - 20)]).padding(0.5);
  const rows = brokers.length > 7 ? 2 : 1;
  brokers.forEach((b, k) => {
    const y = rows === 1 ? h * 0.6 : k % 2 === 0 ? h * 0.5 : h * 0.78;
    pos.set(`b${b}`, { id: `b${b}`, x: bx(b) ?? w / 2, y, kind: 'broker', label: `b${b}` });
  });
  pos.set('ctl', { id: 'ctl', x: w / 2, y: h * 0.16, kind: 'controller', label: 'controller' });
  const spread = (n: number, k: number): number => h * (0.3 + (0.55 * (k + 0.5)) / Math.max(1, n));
  producers.forEach((c, k) => pos.set(c.node, { id: c.node, x: left, y: spread(producers.length, k), kind: 'producer', label: c.node }));
  consumers.forEach((c, k) => pos.set(c.node, { id: c.node, x: right, y: spread(consumers.length, k), kind: 'consumer', label: c.node }));
  return pos;
}

export interface ClusterOptions {
  onNodeClick?: (node: string, event: MouseEvent) => void;
  /** Clicking a link (a wide invisible band along it): cut or heal it. */
  onLinkClick?: (a: string, b: string, cut: boolean, event: MouseEvent) => void;
  large?: boolean;
}

/** Draws the cluster at the frame (and messages in flight at time tUs) into `svg`. */
export function drawCluster(svgEl: SVGSVGElement, frame: Frame, flights: Flight[], tUs: number, size: Size, opts: ClusterOptions = {}): void {
  const svg = d3.select(svgEl).attr('viewBox', `0 0 ${size.width} ${size.height}`).attr('width', size.width).attr('height', size.height);
  const pos = layout(frame, size);
  const r = Math.max(18, Math.min(34, size.height / 9)) * (opts.large ? 1.2 : 1);

  // Links: every broker pair, broker-controller, client-broker. Cut when either direction is cut.
  const cut = new Set(frame.cutLinks);
  const links: Array<{ a: string; b: string; cutAB: boolean; cutBA: boolean }> = [];
  const ids = [...pos.keys()];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const a = pos.get(ids[i])!;
      const b = pos.get(ids[j])!;
      const isBroker = (n: NodePos): boolean => n.kind === 'broker';
      if (!isBroker(a) && !isBroker(b)) continue;
      links.push({ a: a.id, b: b.id, cutAB: cut.has(`${a.id}>${b.id}`), cutBA: cut.has(`${b.id}>${a.id}`) });
    }
  }
  const gLinks = ensure(svg, 'g.links');
  gLinks
    .selectAll<SVGLineElement, (typeof links)[number]>('line')
    .data(links, (d) => `${d.a}|${d.b}`)
    .join('line')
    .attr('x1', (d) => pos.get(d.a)!.x)
    .attr('y1', (d) => pos.get(d.a)!.y)
    .attr('x2', (d) => pos.get(d.b)!.x)
    .attr('y2', (d) => pos.get(d.b)!.y)
    .attr('class', (d) => (d.cutAB || d.cutBA ? 'link cut' : 'link'))
    .attr('data-testid', (d) => (d.cutAB || d.cutBA ? 'cut-link' : null));
  // Wide transparent bands over the links, so a thin line is easy to click.
  ensure(svg, 'g.linkhits')
    .selectAll<SVGLineElement, (typeof links)[number]>('line')
    .data(opts.onLinkClick !== undefined ? links : [], (d) => `${d.a}|${d.b}`)
    .join('line')
    .attr('class', 'linkhit')
    .attr('data-testid', (d) => `link-${d.a}-${d.b}`)
    .attr('x1', (d) => pos.get(d.a)!.x)
    .attr('y1', (d) => pos.get(d.a)!.y)
    .attr('x2', (d) => pos.get(d.b)!.x)
    .attr('y2', (d) => pos.get(d.b)!.y)
    .on('click', (ev: MouseEvent, d) => opts.onLinkClick?.(d.a, d.b, d.cutAB || d.cutBA, ev));
  // A cross on cut links, with the direction if only one way is cut.
  const cuts = links.filter((d) => d.cutAB || d.cutBA);
  ensure(svg, 'g.cutmarks')
    .selectAll<SVGTextElement, (typeof cuts)[number]>('text')
    .data(cuts, (d) => `${d.a}|${d.b}`)
    .join('text')
    .attr('class', 'cutmark')
    .attr('x', (d) => (pos.get(d.a)!.x + pos.get(d.b)!.x) / 2)
    .attr('y', (d) => (pos.get(d.a)!.y + pos.get(d.b)!.y) / 2)
    .attr('text-anchor', 'middle')
    .attr('dominant-baseline', 'central')
    .text((d) => (d.cutAB && d.cutBA ? '✕' : d.cutAB ? `✕ ${d.a}→${d.b}` : `✕ ${d.b}→${d.a}`));

  // Messages in flight.
  const msgs = flights
    .map((m) => {
      const a = pos.get(m.from);
      const b = pos.get(m.to);
      if (a === undefined || b === undefined) return undefined;
      const k = Math.max(0, Math.min(1, (tUs - m.t) / Math.max(1, m.recvUs - m.t)));
      return { m, x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k };
    })
    .filter((x): x is { m: Flight; x: number; y: number } => x !== undefined);
  ensure(svg, 'g.msgs')
    .selectAll<SVGCircleElement, (typeof msgs)[number]>('circle')
    .data(msgs, (d) => String(d.m.id))
    .join('circle')
    .attr('class', 'msg')
    .attr('r', (d) => Math.max(3, Math.min(8, 2 + Math.log10(d.m.bytes + 1))))
    .attr('cx', (d) => d.x)
    .attr('cy', (d) => d.y)
    .attr('fill', (d) => MSG_COLORS[d.m.kind] ?? (d.m.kind.endsWith('Response') ? '#bbb' : '#777'))
    .selectAll('title')
    .data((d) => [d])
    .join('title')
    .text((d) => `${d.m.kind} ${d.m.from} → ${d.m.to}, ${d.m.bytes} B`);

  // Nodes.
  const leaders = new Map<number, string[]>();
  for (const p of Object.values(frame.partitions)) if (p.leader >= 0) leaders.set(p.leader, [...(leaders.get(p.leader) ?? []), p.tp]);
  const nodes = [...pos.values()];
  const g = ensure(svg, 'g.nodes')
    .selectAll<SVGGElement, NodePos>('g.node')
    .data(nodes, (d) => d.id)
    .join((enter) => {
      const e = enter.append('g').attr('class', 'node');
      e.append('circle');
      e.append('text').attr('class', 'name').attr('text-anchor', 'middle').attr('dominant-baseline', 'central');
      e.append('text').attr('class', 'sub').attr('text-anchor', 'middle');
      e.append('text').attr('class', 'sub2').attr('text-anchor', 'middle');
      e.append('title');
      return e;
    })
    .attr('transform', (d) => `translate(${d.x},${d.y})`)
    .attr('data-testid', (d) => `node-${d.id}`)
    .attr('data-state', (d) => (d.kind === 'broker' ? frame.brokers[Number(d.id.slice(1))].state : d.kind === 'controller' ? (frame.controllerUp ? 'up' : 'crashed') : frame.clients[d.id]?.up ? 'up' : 'down'))
    .classed('clickable', (d) => d.kind === 'broker' && opts.onNodeClick !== undefined)
    .on('click', (ev: MouseEvent, d) => {
      if (d.kind === 'broker' && opts.onNodeClick) opts.onNodeClick(d.id, ev);
    });
  g.select('circle')
    .attr('r', (d) => (d.kind === 'broker' ? r : r * 0.7))
    .attr('class', (d) => `shape ${d.kind}`)
    .attr('fill', (d) => {
      if (d.kind === 'broker') return BROKER_COLORS[frame.brokers[Number(d.id.slice(1))].state];
      if (d.kind === 'controller') return frame.controllerUp ? '#5b7db1' : BROKER_COLORS.crashed;
      return frame.clients[d.id]?.up ? '#eef3f8' : '#ddd';
    });
  g.select('text.name').text((d) => (d.kind === 'broker' ? d.label : d.kind === 'controller' ? 'ctl' : d.label.slice(2)));
  // Client labels grow inwards, away from the edge.
  const anchor = (d: NodePos): string => (d.kind === 'producer' ? 'start' : d.kind === 'consumer' ? 'end' : 'middle');
  const dx = (d: NodePos): number => (d.kind === 'producer' ? -r * 0.7 : d.kind === 'consumer' ? r * 0.7 : 0);
  g.selectAll<SVGTextElement, NodePos>('text.sub, text.sub2').attr('text-anchor', anchor).attr('x', dx);
  g.select('text.sub')
    .attr('y', (d) => (d.kind === 'broker' ? r + 16 : r * 0.7 + 14))
    .text((d) => {
      if (d.kind === 'broker') {
        const b = frame.brokers[Number(d.id.slice(1))];
        return b.state === 'up' ? 'up' : b.state === 'crashed' && b.fenced ? `crashed${b.mode === 'power' ? ' (power)' : ''}, fenced` : b.state === 'crashed' && b.mode === 'power' ? 'crashed (power)' : b.state;
      }
      if (d.kind === 'controller') return frame.header !== undefined && Number(frame.header.kafkaVersion.split('.')[0]) >= 3 ? 'KRaft controller' : 'controller';
      const c = frame.clients[d.id];
      return c === undefined ? '' : c.kind === 'producer' ? `producer → ${c.topic}` : `consumer ← ${c.topic}`;
    });
  g.select('text.sub2')
    .attr('y', (d) => (d.kind === 'broker' ? r + 31 : r * 0.7 + 28))
    .text((d) => {
      if (d.kind === 'broker') {
        const tps = leaders.get(Number(d.id.slice(1)));
        return tps === undefined ? '' : `★ ${compactTps(tps)}`;
      }
      const c = frame.clients[d.id];
      if (c?.kind === 'producer' && c.acks !== undefined) return `acks=${c.acks === -1 ? 'all' : c.acks}${c.idempotence ? ', idempotent' : ''}`;
      return '';
    });
  g.select('title').text((d) => (d.kind === 'broker' ? `${d.label}: click to crash or restart it here` : d.label));

  // Legend.
  const legend = [
    ['Produce', MSG_COLORS.Produce],
    ['Fetch', MSG_COLORS.Fetch],
    ['FetchResponse', MSG_COLORS.FetchResponse],
    ['heartbeat', MSG_COLORS.BrokerHeartbeat],
    ['metadata', MSG_COLORS.Metadata],
    ['AlterPartition', MSG_COLORS.AlterPartition],
  ];
  const lg = ensure(svg, 'g.legend').attr('transform', `translate(8,${size.height - 8})`).attr('display', opts.large ? 'none' : null);
  const charW = opts.large ? 9 : 6.5;
  const xs: number[] = [];
  legend.reduce((x, d) => (xs.push(x), x + 22 + d[0].length * charW), 0);
  const items = lg
    .selectAll<SVGGElement, string[]>('g')
    .data(legend)
    .join((enter) => {
      const e = enter.append('g');
      e.append('circle').attr('r', 4).attr('cy', -4);
      e.append('text').attr('x', 7).attr('y', 0);
      return e;
    })
    .attr('transform', (_, k) => `translate(${xs[k]},0)`);
  items.select('circle').attr('fill', (d) => d[1]);
  items.select('text').text((d) => d[0]);
}

/** The child selected by `sel` ("tag.class"), created once. */
export function ensure<P extends d3.BaseType>(parent: d3.Selection<P, unknown, null, undefined>, sel: string): d3.Selection<SVGGElement, unknown, null, undefined> {
  let s = parent.select<SVGGElement>(sel) as unknown as d3.Selection<SVGGElement, unknown, null, undefined>;
  if (s.empty()) {
    const [tag, cls] = sel.split('.');
    s = parent.append(tag as 'g').attr('class', cls) as unknown as d3.Selection<SVGGElement, unknown, null, undefined>;
  }
  return s;
}

/** ["orders-0", "orders-2", "audit-1"] → "orders-0,2 audit-1". */
export function compactTps(tps: string[]): string {
  const by = new Map<string, string[]>();
  for (const tp of tps) {
    const k = tp.lastIndexOf('-');
    const topic = tp.slice(0, k);
    by.set(topic, [...(by.get(topic) ?? []), tp.slice(k + 1)]);
  }
  return [...by].map(([t, ps]) => `${t}-${ps.join(',')}`).join(' ');
}
