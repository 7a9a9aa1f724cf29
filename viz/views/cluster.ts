/**
 * The cluster view: brokers (colored by state), the controller, producers and consumers, the links
 * between them (cut links dashed red), and the messages in flight, each placed between its sender and
 * receiver by interpolating its send time and arrival time at the cursor's time.
 */
import * as d3 from 'd3';
import type { Flight, Frame } from '../derive/frames.js';
import { BROKER_COLORS, MSG_COLORS } from './colors.js';
import { mk, pool, set, text, unset, type El } from './dom.js';

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
  const brokers = Object.keys(frame.brokers)
    .map(Number)
    .sort((a, b) => a - b);
  const clients = Object.values(frame.clients);
  const producers = clients.filter((c) => c.kind === 'producer');
  const consumers = clients.filter((c) => c.kind === 'consumer');
  const { width: w, height: h } = size;
  const left = Math.min(w * 0.1, 70);
  const right = w - left;
  const bx = d3
    .scalePoint<number>()
    .domain(brokers)
    .range([Math.max(w * 0.2, 2 * left + 20), Math.min(w * 0.8, w - 2 * left - 20)])
    .padding(0.5);
  const rows = brokers.length > 7 ? 2 : 1;
  brokers.forEach((b, k) => {
    const y = rows === 1 ? h * 0.6 : k % 2 === 0 ? h * 0.5 : h * 0.78;
    const rack = frame.header?.racks?.[String(b)];
    pos.set(`b${b}`, { id: `b${b}`, x: bx(b) ?? w / 2, y, kind: 'broker', label: rack === undefined ? `b${b}` : `b${b} (${rack})` });
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

/** The legend of message colors. */
const LEGEND: Array<[string, string]> = [
  ['Produce', MSG_COLORS.Produce],
  ['Fetch', MSG_COLORS.Fetch],
  ['FetchResponse', MSG_COLORS.FetchResponse],
  ['heartbeat', MSG_COLORS.BrokerHeartbeat],
  ['metadata', MSG_COLORS.Metadata],
  ['AlterPartition', MSG_COLORS.AlterPartition],
];

interface NodeEls {
  d: NodePos;
  g: El;
  circle: El;
  name: El;
  sub: El;
  sub2: El;
}

interface LinkEls {
  a: string;
  b: string;
  line: El;
  hit?: El;
  cutAB: boolean;
  cutBA: boolean;
}

type MsgEl = SVGCircleElement & El & { __seen?: number };

/**
 * What is drawn in one svg: the layout (nodes, links, legend) is built once per run, size and options;
 * then a frame writes only what changed (node states, cut links) and moves the messages in flight.
 */
interface View {
  key: string;
  header: Frame['header'];
  brokers: Frame['brokers'];
  clients: Frame['clients'];
  width: number;
  height: number;
  pos: Map<string, NodePos>;
  r: number;
  links: LinkEls[];
  nodes: NodeEls[];
  gCuts: El;
  gMsgs: El;
  cuts: readonly string[] | undefined;
  msgs: Map<number, MsgEl>;
  draws: number;
  /** The options of the last draw (the click handlers read them). */
  opts: ClusterOptions;
}

const views = new WeakMap<SVGSVGElement, View>();

/** Draws the cluster at the frame (and messages in flight at time tUs) into `svg`. */
export function drawCluster(svgEl: SVGSVGElement, frame: Frame, flights: Flight[], tUs: number, size: Size, opts: ClusterOptions = {}): void {
  const view = viewFor(svgEl, frame, size, opts);
  view.opts = opts;
  drawCuts(view, frame);
  drawFlights(view, flights, tUs);
  drawNodes(view, frame);
}

/** The svg's view, built again when the layout changes (with the run, the size, the brokers and clients, the options). */
function viewFor(svgEl: SVGSVGElement, frame: Frame, size: Size, opts: ClusterOptions): View {
  let view = views.get(svgEl);
  if (
    view === undefined ||
    view.header !== frame.header ||
    view.brokers !== frame.brokers ||
    view.clients !== frame.clients ||
    view.width !== size.width ||
    view.height !== size.height ||
    (view.opts.large === true) !== (opts.large === true) ||
    (view.opts.onNodeClick === undefined) !== (opts.onNodeClick === undefined) ||
    (view.opts.onLinkClick === undefined) !== (opts.onLinkClick === undefined) ||
    !svgEl.contains(view.gMsgs)
  ) {
    const key = [
      size.width,
      size.height,
      opts.large === true,
      opts.onNodeClick !== undefined,
      opts.onLinkClick !== undefined,
      Object.keys(frame.brokers).join(),
      Object.values(frame.clients)
        .map((c) => `${c.node}:${c.kind}`)
        .join(),
    ].join('|');
    if (view === undefined || view.key !== key || view.header !== frame.header || !svgEl.contains(view.gMsgs)) view = build(svgEl, frame, size, opts, key);
    view.header = frame.header;
    view.brokers = frame.brokers;
    view.clients = frame.clients;
    view.width = size.width;
    view.height = size.height;
  }
  return view;
}

/** Cut links (a link is cut when either direction is). */
function drawCuts(view: View, frame: Frame): void {
  const { pos } = view;
  if (view.cuts === frame.cutLinks) return;
  view.cuts = frame.cutLinks;
  const cut = new Set(frame.cutLinks);
  const cuts: LinkEls[] = [];
  for (const l of view.links) {
    l.cutAB = cut.has(`${l.a}>${l.b}`);
    l.cutBA = cut.has(`${l.b}>${l.a}`);
    const any = l.cutAB || l.cutBA;
    set(l.line, 'class', any ? 'link cut' : 'link');
    if (any) set(l.line, 'data-testid', 'cut-link');
    else unset(l.line, 'data-testid');
    if (any) cuts.push(l);
  }
  // A cross on cut links, with the direction if only one way is cut.
  const marks = pool(view.gCuts as El & { __kids?: El[] }, cuts.length, (parent) => {
    const t = mk(parent, 'text', 'cutmark');
    t.setAttribute('text-anchor', 'middle');
    t.setAttribute('dominant-baseline', 'central');
    return t;
  });
  cuts.forEach((d, k) => {
    const a = pos.get(d.a)!;
    const b = pos.get(d.b)!;
    set(marks[k], 'x', (a.x + b.x) / 2);
    set(marks[k], 'y', (a.y + b.y) / 2);
    text(marks[k], d.cutAB && d.cutBA ? '✕' : d.cutAB ? `✕ ${d.a}→${d.b}` : `✕ ${d.b}→${d.a}`);
  });
}

/** Messages in flight: a circle per message, kept while it flies. */
function drawFlights(view: View, flights: Flight[], tUs: number): void {
  const { pos } = view;
  const draw = ++view.draws;
  const msgs = view.msgs;
  for (const m of flights) {
    const a = pos.get(m.from);
    const b = pos.get(m.to);
    if (a === undefined || b === undefined) continue;
    const k = Math.max(0, Math.min(1, (tUs - m.t) / Math.max(1, m.recvUs - m.t)));
    let c = msgs.get(m.id);
    if (c === undefined) {
      c = mk(view.gMsgs, 'circle', 'msg') as MsgEl;
      c.setAttribute('r', String(Math.max(3, Math.min(8, 2 + Math.log10(m.bytes + 1)))));
      c.setAttribute('fill', MSG_COLORS[m.kind] ?? (m.kind.endsWith('Response') ? '#bbb' : '#777'));
      mk(c, 'title').textContent = `${m.kind} ${m.from} → ${m.to}, ${m.bytes} B`;
      msgs.set(m.id, c);
    }
    c.__seen = draw;
    set(c, 'cx', px(a.x + (b.x - a.x) * k));
    set(c, 'cy', px(a.y + (b.y - a.y) * k));
  }
  for (const [id, c] of msgs) {
    if (c.__seen !== draw) {
      c.remove();
      msgs.delete(id);
    }
  }
}

/** Nodes: state, and the partitions each broker leads. */
function drawNodes(view: View, frame: Frame): void {
  const leaders = new Map<number, string[]>();
  for (const tp in frame.partitions) {
    const p = frame.partitions[tp];
    if (p.leader < 0) continue;
    const l = leaders.get(p.leader);
    if (l === undefined) leaders.set(p.leader, [p.tp]);
    else l.push(p.tp);
  }
  for (const n of view.nodes) {
    const d = n.d;
    if (d.kind === 'broker') {
      const b = frame.brokers[Number(d.id.slice(1))];
      set(n.g, 'data-state', b.state);
      set(n.circle, 'fill', BROKER_COLORS[b.state]);
      // A ZooKeeper controller does not fence: it declares a broker whose session ended dead.
      const fenced = frame.header?.controller === 'zookeeper' ? 'declared dead' : 'fenced';
      text(
        n.sub,
        b.state === 'up'
          ? 'up'
          : b.state === 'crashed' && b.fenced
            ? `crashed${b.mode === 'power' ? ' (power)' : ''}, ${fenced}`
            : b.state === 'crashed' && b.mode === 'power'
              ? 'crashed (power)'
              : b.state === 'fenced'
                ? fenced
                : b.state,
      );
      const tps = leaders.get(b.id);
      text(n.sub2, tps === undefined ? '' : `★ ${compactTps(tps)}`);
    } else if (d.kind === 'controller') {
      set(n.g, 'data-state', frame.controllerUp ? 'up' : 'crashed');
      set(n.circle, 'fill', frame.controllerUp ? '#5b7db1' : BROKER_COLORS.crashed);
      text(n.sub, frame.header === undefined ? 'controller' : frame.header.controller === 'kraft' ? 'KRaft controller' : 'ZooKeeper controller');
    } else {
      const c = frame.clients[d.id];
      set(n.g, 'data-state', c?.up ? 'up' : 'down');
      set(n.circle, 'fill', c?.up ? '#eef3f8' : '#ddd');
      text(n.sub, c === undefined ? '' : c.kind === 'producer' ? `producer → ${c.topic}` : `consumer ← ${c.topic}`);
      text(n.sub2, c?.kind === 'producer' && c.acks !== undefined ? `acks=${c.acks === -1 ? 'all' : c.acks}${c.idempotence ? ', idempotent' : ''}` : '');
    }
  }
}

const px = (v: number): number => Math.round(v * 10) / 10;

/** (Re)builds what does not change from frame to frame: nodes, links, legend. */
function build(svgEl: SVGSVGElement, frame: Frame, size: Size, opts: ClusterOptions, key: string): View {
  const svg = svgEl as SVGSVGElement & El;
  set(svg, 'viewBox', `0 0 ${size.width} ${size.height}`);
  set(svg, 'width', size.width);
  set(svg, 'height', size.height);
  svgEl.replaceChildren();
  const pos = layout(frame, size);
  const r = Math.max(18, Math.min(34, size.height / 9)) * (opts.large ? 1.2 : 1);
  const gLinks = mk(svgEl, 'g', 'links');
  const gHits = mk(svgEl, 'g', 'linkhits');
  const gCuts = mk(svgEl, 'g', 'cutmarks');
  const gMsgs = mk(svgEl, 'g', 'msgs');
  const gNodes = mk(svgEl, 'g', 'nodes');
  const gLegend = mk(svgEl, 'g', 'legend');
  const view: View = {
    key,
    header: frame.header,
    brokers: frame.brokers,
    clients: frame.clients,
    width: size.width,
    height: size.height,
    pos,
    r,
    links: [],
    nodes: [],
    gCuts,
    gMsgs,
    cuts: undefined,
    msgs: new Map(),
    draws: 0,
    opts,
  };
  views.set(svgEl, view);

  buildLinks(view, gLinks, gHits);
  buildNodes(view, gNodes);
  buildLegend(gLegend, size, opts);
  return view;
}

/** Links: every broker pair, broker-controller, client-broker (with a band to click when links can be). */
function buildLinks(view: View, gLinks: El, gHits: El): void {
  const { pos, opts } = view;
  const ids = [...pos.keys()];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const a = pos.get(ids[i])!;
      const b = pos.get(ids[j])!;
      if (a.kind !== 'broker' && b.kind !== 'broker') continue;
      const line = mk(gLinks, 'line', 'link');
      const coords = (el: El): void => {
        el.setAttribute('x1', String(a.x));
        el.setAttribute('y1', String(a.y));
        el.setAttribute('x2', String(b.x));
        el.setAttribute('y2', String(b.y));
      };
      coords(line);
      const l: LinkEls = { a: a.id, b: b.id, line, cutAB: false, cutBA: false };
      if (opts.onLinkClick !== undefined) {
        // A wide transparent band over the link, so a thin line is easy to click.
        const hit = mk(gHits, 'line', 'linkhit');
        hit.setAttribute('data-testid', `link-${a.id}-${b.id}`);
        coords(hit);
        hit.addEventListener('click', (ev) => view.opts.onLinkClick?.(l.a, l.b, l.cutAB || l.cutBA, ev as MouseEvent));
        l.hit = hit;
      }
      view.links.push(l);
    }
  }
}

/** Nodes: a shape, a name and two lines of state each; brokers click to the fault menu. */
function buildNodes(view: View, gNodes: El): void {
  const { pos, r, opts } = view;
  const anchor = (d: NodePos): string => (d.kind === 'producer' ? 'start' : d.kind === 'consumer' ? 'end' : 'middle');
  // Client labels grow inwards, away from the edge.
  const dx = (d: NodePos): number => (d.kind === 'producer' ? -r * 0.7 : d.kind === 'consumer' ? r * 0.7 : 0);
  for (const d of pos.values()) {
    const g = mk(gNodes, 'g', d.kind === 'broker' && opts.onNodeClick !== undefined ? 'node clickable' : 'node');
    g.setAttribute('transform', `translate(${d.x},${d.y})`);
    g.setAttribute('data-testid', `node-${d.id}`);
    g.addEventListener('click', (ev) => {
      if (d.kind === 'broker') view.opts.onNodeClick?.(d.id, ev as MouseEvent);
    });
    const circle = mk(g, 'circle', `shape ${d.kind}`);
    circle.setAttribute('r', String(d.kind === 'broker' ? r : r * 0.7));
    const name = mk(g, 'text', 'name');
    name.setAttribute('text-anchor', 'middle');
    name.setAttribute('dominant-baseline', 'central');
    name.textContent = d.kind === 'broker' ? d.label : d.kind === 'controller' ? 'ctl' : d.label.slice(2);
    const sub = mk(g, 'text', 'sub');
    const sub2 = mk(g, 'text', 'sub2');
    for (const [el, y] of [
      [sub, d.kind === 'broker' ? r + 16 : r * 0.7 + 14],
      [sub2, d.kind === 'broker' ? r + 31 : r * 0.7 + 28],
    ] as const) {
      el.setAttribute('text-anchor', anchor(d));
      el.setAttribute('x', String(dx(d)));
      el.setAttribute('y', String(y));
    }
    mk(g, 'title').textContent = d.kind === 'broker' ? `${d.label}: click to crash or restart it here` : d.label;
    view.nodes.push({ d, g, circle, name, sub, sub2 });
  }
}

/** The legend of message colors (hidden in large mode). */
function buildLegend(gLegend: El, size: Size, opts: ClusterOptions): void {
  gLegend.setAttribute('transform', `translate(8,${size.height - 8})`);
  if (opts.large) gLegend.setAttribute('display', 'none');
  const charW = opts.large ? 9 : 6.5;
  let x = 0;
  for (const [label, color] of LEGEND) {
    const g = mk(gLegend, 'g');
    g.setAttribute('transform', `translate(${x},0)`);
    const c = mk(g, 'circle');
    c.setAttribute('r', '4');
    c.setAttribute('cy', '-4');
    c.setAttribute('fill', color);
    const t = mk(g, 'text');
    t.setAttribute('x', '7');
    t.setAttribute('y', '0');
    t.textContent = label;
    x += 22 + label.length * charW;
  }
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
