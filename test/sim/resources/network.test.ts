/**
 * The network's TCP connections: a cut link holds messages and delivers them in order at the next
 * retransmission after it heals; a closed connection discards what it held; a process that dies resets
 * its connections, and a peer hears of it only once the link lets the reset through; packet loss delays
 * (never loses) messages, from its own random stream.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../sim/kernel/kernel.js';
import { Process } from '../../../sim/kernel/process.js';
import { Streams } from '../../../sim/kernel/random.js';
import { Network, nextRetransmitUs, RTO_MIN_US, TLP_MIN_US, type Envelope } from '../../../sim/resources/network.js';
import { DEFAULT_NETWORK } from '../../../sim/scenario/parse.js';
import type { NetworkSpec } from '../../../sim/scenario/types.js';
import { Trace } from '../../../sim/trace/bus.js';
import { ArraySink, type TraceEvent } from '../../../sim/trace/events.js';

class Node extends Process {
  readonly got: Array<{ t: number; id: number; payload: unknown }> = [];
  readonly resets: Array<{ t: number; peer: string }> = [];
  constructor(kernel: Kernel, name: string, net: Network) {
    super(kernel, name);
    net.attach(this, (env: Envelope) => this.got.push({ t: kernel.now, id: env.id, payload: env.payload }));
    net.onDisconnect(name, (peer) => this.resets.push({ t: kernel.now, peer }));
    this.markStarted();
  }
  die(): void {
    this.markDown();
  }
}

function world(spec: Partial<NetworkSpec> = {}, seed = 1) {
  const kernel = new Kernel();
  const sink = new ArraySink();
  const none = { event: (): void => {} };
  const trace = new Trace(none, none, [sink]);
  const streams = new Streams(seed);
  const net = new Network(kernel, streams.get('network'), { ...DEFAULT_NETWORK, ...spec }, trace, streams.get('network:loss'));
  const a = new Node(kernel, 'p:a', net);
  const b = new Node(kernel, 'b1', net);
  const of = <T extends TraceEvent['type']>(type: T) => sink.events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);
  return { kernel, net, a, b, of };
}

describe('network: TCP connections', () => {
  it('holds messages on a cut link and delivers them in order at the next retransmission after the heal', () => {
    const { kernel, net, b, of } = world();
    // Sent every 100 ms from 0 to 3 s; the link is cut from 1 s to 2 s.
    for (let i = 0; i < 30; i++) kernel.at(i * 100_000, () => net.send('p:a', 'b1', 'Produce', 1000, i));
    kernel.at(1_000_000, () => net.setLink('p:a', 'b1', false));
    kernel.at(2_000_000, () => net.setLink('p:a', 'b1', true));
    kernel.run();
    expect(b.got.map((g) => g.payload)).toEqual([...Array(30).keys()]);
    // Held: the one sent at 1 s (in flight when the cut came), the 10 sent during the cut (the one at 2 s just
    // before the heal), and the 4 sent after the heal until the retransmission (they queue behind the held
    // ones, as TCP's byte stream does).
    const held = of('held');
    expect(held.map((h) => h.reason)).toEqual([...Array(11).fill('link down'), ...Array(4).fill('behind a retransmission')]);
    // The first held message was sent at 1 s: retransmissions at 1.2, 1.6, 2.4 s; the one at 2.4 s gets through.
    const resend = of('resend');
    expect(resend.length).toBe(15);
    expect(new Set(resend.map((r) => r.t))).toEqual(new Set([nextRetransmitUs(1_000_000, 2_000_000)]));
    expect(nextRetransmitUs(1_000_000, 2_000_000)).toBe(2_400_000);
    // Messages sent after the heal wait behind the held ones (FIFO), then flow again.
    const late = b.got.find((g) => g.payload === 21)!;
    expect(late.t).toBeGreaterThanOrEqual(2_400_000);
    expect(of('drop')).toEqual([]);
  });

  it('keeps the retransmission backoff across a second cut, and caps nothing below RTO_MIN', () => {
    expect(nextRetransmitUs(0, 0)).toBe(RTO_MIN_US);
    expect(nextRetransmitUs(0, 3_000_001)).toBe(6_200_000);
  });

  it('holds a message in flight when its link is cut, before those sent after it', () => {
    const { kernel, net, b, of } = world({ latency: { baseUs: 50_000, jitterMeanUs: 0 } });
    kernel.at(0, () => net.send('p:a', 'b1', 'Produce', 100, 'first'));
    kernel.at(10_000, () => net.setLink('p:a', 'b1', false));
    kernel.at(20_000, () => net.send('p:a', 'b1', 'Produce', 100, 'second'));
    kernel.at(500_000, () => net.setLink('p:a', 'b1', true));
    kernel.run();
    expect(b.got.map((g) => g.payload)).toEqual(['first', 'second']);
    expect(of('held').map((h) => h.reason)).toEqual(['link down', 'link down']);
    // Sent at 0: retransmitted at 0.2 s (cut), 0.6 s (healed), then one latency.
    expect(b.got[0]!.t - (600_000 + 50_000)).toBeLessThanOrEqual(1);
  });

  it('discards what a closed connection held, with the reason, and delivers later messages on a new one', () => {
    const { kernel, net, b, of } = world();
    kernel.at(0, () => net.setLink('p:a', 'b1', false));
    kernel.at(100, () => net.send('p:a', 'b1', 'Produce', 100, 'old'));
    kernel.at(1_000_000, () => net.close('p:a', 'b1', 'request.timeout.ms'));
    kernel.at(1_000_001, () => net.send('p:a', 'b1', 'Produce', 100, 'new'));
    kernel.at(1_500_000, () => net.setLink('p:a', 'b1', true));
    kernel.run();
    expect(b.got.map((g) => g.payload)).toEqual(['new']);
    expect(of('drop').map((d) => d.reason)).toEqual(['connection closed by p:a: request.timeout.ms']);
  });

  it('drops a reply whose connection closed meanwhile', () => {
    const { kernel, net, a, b, of } = world();
    let req: Envelope | undefined;
    b.got.length = 0;
    net.attach(b, (env) => {
      req = env;
    });
    kernel.at(0, () => net.send('p:a', 'b1', 'Metadata', 64, 'q'));
    kernel.at(10_000, () => net.close('p:a', 'b1', 'request.timeout.ms'));
    kernel.at(20_000, () => net.reply(req!, 'MetadataResponse', 64, 'r'));
    kernel.run();
    expect(a.got).toEqual([]);
    expect(of('msg').at(-1)!.dropped).toBe('connection closed by p:a: request.timeout.ms');
  });

  it('resets the connections of a process that dies; a peer behind a cut link hears of it only when the link heals', () => {
    const { kernel, net, a, b, of } = world();
    kernel.at(0, () => net.setLink('p:a', 'b1', false));
    kernel.at(100, () => net.send('p:a', 'b1', 'Produce', 100, 'held'));
    kernel.at(1_000_000, () => {
      b.die();
      net.processDied('b1');
    });
    kernel.at(3_000_000, () => net.setLink('p:a', 'b1', true));
    kernel.run();
    expect(of('drop').map((d) => d.reason)).toEqual(['b1 died: connection reset']);
    expect(a.resets.map((r) => r.peer)).toEqual(['b1']);
    expect(a.resets[0]!.t).toBeGreaterThanOrEqual(3_000_000);
  });

  it('delays messages under packet loss but delivers all in order, without shifting the latency stream', () => {
    const run = (loss: number) => {
      const { kernel, net, b } = world({ loss });
      for (let i = 0; i < 200; i++) kernel.at(i * 1000, () => net.send('p:a', 'b1', 'Produce', 100, i));
      kernel.run();
      return b.got;
    };
    const clean = run(0);
    const lossy = run(0.2);
    expect(lossy.map((g) => g.payload)).toEqual(clean.map((g) => g.payload));
    for (let i = 0; i < clean.length; i++) expect(lossy[i]!.t).toBeGreaterThanOrEqual(clean[i]!.t);
    // A loss costs a tail loss probe (at least 10 ms), a lost probe the retransmission timeout on top.
    const late = lossy.map((g, i) => g.t - clean[i]!.t);
    expect(late.filter((d) => d >= TLP_MIN_US).length).toBeGreaterThan(20);
    expect(late.filter((d) => d >= TLP_MIN_US + RTO_MIN_US).length).toBeGreaterThan(0);
  });

  it('refuses connections to a process that is up but not accepting yet, and lets its own connections through', () => {
    const { kernel, net, a, b, of } = world({ latency: { baseUs: 500, jitterMeanUs: 0 } });
    net.setAccepting('b1', false);
    kernel.at(0, () => net.send('p:a', 'b1', 'Metadata', 100, 'refused'));
    // b1's own connection to p:a (a client of its own, e.g. a fetcher) and its reply come back to it.
    kernel.at(0, () => net.send('b1', 'p:a', 'Fetch', 100, 'outbound'));
    kernel.at(5_000, () => net.setAccepting('b1', true));
    kernel.at(6_000, () => net.send('p:a', 'b1', 'Metadata', 100, 'accepted'));
    kernel.run();
    expect(b.got.map((g) => g.payload)).toEqual(['accepted']);
    expect(a.got.map((g) => g.payload)).toEqual(['outbound']);
    // The refusal reaches the client one round trip later, as a reset does.
    expect(a.resets).toEqual([{ t: 1_000, peer: 'b1' }]);
    expect(of('msg').map((m) => m.dropped)).toEqual(['b1 is not accepting connections yet', undefined, undefined]);
  });

  it('resets a connection opened behind a cut link if the server is still not accepting when it gets through', () => {
    const { kernel, net, a, b, of } = world({ latency: { baseUs: 500, jitterMeanUs: 0 } });
    net.setAccepting('b1', false);
    net.setLink('p:a', 'b1', false);
    kernel.at(0, () => net.send('p:a', 'b1', 'Metadata', 100, 'held'));
    kernel.at(100_000, () => net.setLink('p:a', 'b1', true));
    kernel.run();
    expect(b.got).toEqual([]);
    expect(of('drop').map((d) => d.reason)).toEqual(['b1 is not accepting connections yet']);
    expect(a.resets.map((r) => r.peer)).toEqual(['b1']);
  });

  it("counts the time a muting server held each of a client's connections: from reading a request to its response on the wire", () => {
    const kernel = new Kernel();
    const none = { event: (): void => {} };
    const streams = new Streams(1);
    const spec = { ...DEFAULT_NETWORK, latency: { baseUs: 500, jitterMeanUs: 0 } };
    const net = new Network(kernel, streams.get('network'), spec, new Trace(none, none), streams.get('network:loss'));
    const client = new Node(kernel, 'p:a', net);
    // Two servers that read one request per connection at a time and answer each 5 ms after reading it.
    const read: Array<{ server: string; t: number; payload: unknown }> = [];
    for (const name of ['b1', 'b2']) {
      const server = new (class extends Process {
        constructor() {
          super(kernel, name);
          this.markStarted();
        }
      })();
      net.attach(server, (env: Envelope) => {
        read.push({ server: name, t: kernel.now, payload: env.payload });
        // 'y' is never answered.
        if (env.payload !== 'y') kernel.at(kernel.now + 5_000, () => net.reply(env, 'ProduceResponse', 100, null));
      });
      net.muteAfterRequest(name);
    }
    // Three pipelined requests to b1 (read one after another), one to b2.
    for (let i = 0; i < 3; i++) kernel.at(0, () => net.send('p:a', 'b1', 'Produce', 100, i));
    kernel.at(0, () => net.send('p:a', 'b2', 'Produce', 100, 'x'));
    kernel.run();
    expect(client.got.length).toBe(4);
    // b1 read each request once it had answered the one before (at the µs after the response was on the wire).
    expect(read.filter((r) => r.server === 'b1').map((r) => r.t)).toEqual([501, 5_502, 10_503]);
    const wire = 100 * (1e6 / spec.nicBytesPerSec);
    // The busiest connection: b1's, held three times 5 ms and a response's time on the wire.
    expect(net.connectionHeldUs('p:a')).toBeCloseTo(3 * (5_000 + wire), 6);
    // A request held when its connection closes counts up to the closing, and the closed connection's time is
    // kept: b2's, 5 ms and a response's wire time, then 30 ms less the request's flight, becomes the busiest.
    const sent = kernel.now + 1_000;
    kernel.at(sent, () => net.send('p:a', 'b2', 'Produce', 100, 'y'));
    kernel.at(sent + 30_000, () => net.close('p:a', 'b2', 'request timed out'));
    kernel.run();
    const y = read.find((r) => r.payload === 'y')!;
    expect(y.t - sent).toBe(501);
    expect(net.connectionHeldUs('p:a')).toBeCloseTo(5_000 + wire + (sent + 30_000 - y.t), 6);
    // Only a client's connections count.
    expect(net.connectionHeldUs('b1')).toBe(0);
  });
});
