/**
 * A machine's CPU and a broker's request handling, as Kafka's SocketServer, RequestChannel and
 * KafkaRequestHandlerPool arrange it:
 * - `num.network.threads` network threads (Processors) read each request off its connection and later
 *   write its response;
 * - a read request goes into the RequestChannel's queue, bounded by `queued.max.requests`: when it is
 *   full, `requestQueue.put` blocks the network thread that read it, so that thread reads nothing more
 *   until an I/O thread takes a request (back-pressure on every connection of that thread);
 * - `num.io.threads` I/O threads (KafkaRequestHandlers) take requests in order and run KafkaApis on them
 *   (validation and the append of a produce, reading the log for a fetch). A produce waiting for acks=all
 *   (DelayedProduce) or a long-poll fetch (DelayedFetch) waits in a purgatory, not on a thread;
 * - every thread's work also needs one of the machine's cores: threads wait for a core when there are
 *   more runnable threads than cores.
 *
 * Per request, not per record, with no allocation: each pool keeps the time its servers are free. A
 * request's handling is delayed by its waits (for a network thread, room in the queue, an I/O thread, a
 * core) once they reach MIN_WAIT_US; its own service time is charged to the threads and cores it ran on (their utilization, and the
 * waits of the requests behind it) but is not added to its own latency: an uncontended request is
 * handled on arrival, as before the model had a CPU, and the waits are what grow as load nears capacity.
 */

/**
 * Waits shorter than this are not applied to the request (its threads and cores are still charged): they
 * are a fraction of the links' jitter, and applying them would shift the order of every busy run's events
 * without changing what the run shows. Waits grow past it as load nears a resource's capacity.
 */
export const MIN_WAIT_US = 100;

/** Servers (threads or cores) that each run one job at a time; the next job takes the earliest free one. */
export class Pool {
  private readonly freeUs: Float64Array;
  /** Service time charged so far, µs (summed over servers). */
  busyUs = 0;
  /** The server earliest() found, for the take() that follows it (-1: none; look again). */
  private found = -1;

  constructor(readonly size: number) {
    this.freeUs = new Float64Array(size);
  }

  /** The index of the server free first. */
  private earliestIndex(): number {
    const f = this.freeUs;
    let best = 0;
    for (let i = 1; i < f.length; i++) if (f[i] < f[best]) best = i;
    return best;
  }

  /** When the first server is free, µs. */
  earliest(): number {
    this.found = this.earliestIndex();
    return this.freeUs[this.found];
  }

  /** Run a job of `durUs` starting at `startUs` (≥ earliest()) on the earliest free server. */
  take(startUs: number, durUs: number): void {
    const i = this.found >= 0 ? this.found : this.earliestIndex();
    this.found = -1;
    this.freeUs[i] = startUs + durUs;
    this.busyUs += durUs;
  }

  /** Hold the earliest free server until `untilUs` without charging CPU (a thread blocked on a full queue). */
  holdUntil(untilUs: number): void {
    this.found = -1;
    const i = this.earliestIndex();
    if (untilUs > this.freeUs[i]) this.freeUs[i] = untilUs;
  }

  /** Every server free from `nowUs` (a process restarted: what it was doing is gone). */
  reset(nowUs: number): void {
    this.found = -1;
    this.freeUs.fill(nowUs);
  }
}

/** A machine's cores. Work on a thread of a pool also takes a core; other work (a fetcher thread, compression) only a core. */
export class Cpu {
  readonly cores: Pool;

  constructor(cores: number) {
    this.cores = new Pool(cores);
  }

  /** Run `durUs` of work ready at `readyUs` on a core; returns when it starts, µs. */
  run(readyUs: number, durUs: number): number {
    const start = Math.max(readyUs, this.cores.earliest());
    this.cores.take(start, durUs);
    return start;
  }

  /** Run `durUs` of work ready at `readyUs` on a thread of `threads` and a core; returns when it starts, µs. */
  runOn(threads: Pool, readyUs: number, durUs: number): number {
    const start = Math.max(readyUs, threads.earliest(), this.cores.earliest());
    threads.take(start, durUs);
    this.cores.take(start, durUs);
    return start;
  }
}

/** A broker's request handling settings: Kafka's configs. */
export interface RequestHandlingConfig {
  /** num.network.threads (3). */
  networkThreads: number;
  /** num.io.threads (8). */
  ioThreads: number;
  /** queued.max.requests (500). */
  queuedMaxRequests: number;
}

/**
 * A broker's SocketServer and request handler pool over its machine's CPU. `admit` is called when a
 * request arrives and returns when KafkaApis starts on it; `respond` charges the writing of a response.
 */
export class RequestHandling {
  readonly network: Pool;
  readonly io: Pool;
  /** Start times (µs) of the requests in the queue, a ring of queued.max.requests slots, in order. */
  private readonly queue: Float64Array;
  private head = 0;
  private length = 0;
  /** Time the queue was full (network threads blocked on it), µs. */
  fullUs = 0;
  /** Requests admitted, and those that waited at least one µs. */
  requests = 0;
  waited = 0;

  constructor(
    readonly cpu: Cpu,
    readonly cfg: RequestHandlingConfig,
  ) {
    this.network = new Pool(cfg.networkThreads);
    this.io = new Pool(cfg.ioThreads);
    this.queue = new Float64Array(cfg.queuedMaxRequests);
  }

  /**
   * A request of `bytes` arrived at `nowUs`: a network thread reads it (`readUs` of work), puts it in the
   * queue (blocking while the queue is full), and an I/O thread runs it (`handleUs` of work). Returns when
   * the handler starts, µs (≥ nowUs; nowUs when nothing waited).
   */
  admit(nowUs: number, readUs: number, handleUs: number): number {
    this.requests++;
    const read = this.cpu.runOn(this.network, nowUs, readUs);
    this.dropStarted(read);
    let queued = read;
    if (this.length === this.queue.length) {
      // RequestChannel.sendRequest: requestQueue.put blocks the network thread until the head is taken.
      const freeAt = this.queue[this.head];
      this.fullUs += freeAt - read;
      this.network.holdUntil(freeAt);
      queued = freeAt;
      this.dropStarted(freeAt);
    }
    const start = this.cpu.runOn(this.io, queued, handleUs);
    this.queue[(this.head + this.length) % this.queue.length] = start;
    this.length++;
    const at = Math.ceil(start);
    if (at - nowUs < MIN_WAIT_US) return nowUs;
    this.waited++;
    return at;
  }

  /** Writing a response of `writeUs` of work at `nowUs` (a network thread and a core). */
  respond(nowUs: number, writeUs: number): void {
    this.cpu.runOn(this.network, nowUs, writeUs);
  }

  /** Requests in the queue whose handler started by `t` have left it. */
  private dropStarted(t: number): void {
    const q = this.queue;
    while (this.length > 0 && q[this.head] <= t) {
      this.head = (this.head + 1) % q.length;
      this.length--;
    }
  }

  /** The process restarted: queued requests and running handlers are gone. */
  reset(nowUs: number): void {
    this.network.reset(nowUs);
    this.io.reset(nowUs);
    this.head = 0;
    this.length = 0;
  }
}
