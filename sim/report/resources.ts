/**
 * Utilization of each resource of each node over a run, and the bottleneck: the most utilized one. A
 * resource's utilization is its busy time over the run's time (and over its servers, for a pool of
 * threads or cores); the request queue's is the share of the time it was full; a consumer's `processing`
 * is its application's time processing records (a consumer that cannot keep up is busy all the time); a
 * producer's `connection` is the share of the time a broker held a request of its busiest connection: a
 * broker reads one request per connection at a time (its SocketServer mutes the connection until the
 * response is sent), so a connection held all the time is a limit of its own, though no resource is busy
 * (with `acks=all`, each request waits there for the followers).
 */

/** The resources a node has, as the run reports them. */
export const RESOURCE_NAMES = ['nic-out', 'nic-in', 'disk-write', 'disk-read', 'cpu', 'network-threads', 'io-threads', 'request-queue', 'processing', 'connection'] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];

export interface ResourceUse {
  /** The node: `b1`, `p:NAME`, `c:NAME`, `ctl`. */
  node: string;
  resource: ResourceName;
  /** Busy time over the run's time (and servers), 0..1. */
  utilization: number;
  /** A disk of a broker with several log directories: the directory (log.dirs) of the busiest device. */
  dir?: string;
}

/** What the run counted of one node's resources (busy µs, and the servers of a pool). */
export interface NodeBusy {
  node: string;
  nicTxUs: number;
  nicRxUs: number;
  /** Its busiest disk: with several log directories (log.dirs), the most utilized of their devices, and their directories. */
  disk?: { writeUs: number; readUs: number; writeDir?: string; readDir?: string };
  cpu?: { busyUs: number; cores: number };
  threads?: { networkUs: number; network: number; ioUs: number; io: number; queueFullUs: number };
  /** A consumer's application: the time it spent processing what poll() returned (its one poll thread). */
  processingUs?: number;
  /** A producer: the time a broker held a request of its busiest connection (the connection muted). */
  connectionUs?: number;
}

/**
 * One log directory of one broker (log.dirs, JBOD), as kafka-log-dirs --describe lists them: the
 * partitions whose replica it holds and how busy its disk was (writing, reading), over the run.
 */
export interface LogDirUse {
  broker: number;
  dir: string;
  partitions: string[];
  diskWrite: number;
  diskRead: number;
  /** Its disk failed (failDisk) and is not replaced at the end of the run: the partitions it held are offline on that broker. */
  failed?: true;
}

/** Busy time over the run's time (and over `servers`), 0..1. */
export function busyShare(busyUs: number, runUs: number, servers = 1): number {
  return runUs <= 0 ? 0 : Math.min(1, busyUs / (servers * runUs));
}

/** Every resource's utilization over `runUs`, node by node in the order given. */
export function resourceUse(nodes: readonly NodeBusy[], runUs: number): ResourceUse[] {
  const out: ResourceUse[] = [];
  const add = (node: string, resource: ResourceName, busyUs: number, servers = 1, dir?: string) => {
    out.push({ node, resource, utilization: busyShare(busyUs, runUs, servers), ...(dir === undefined ? {} : { dir }) });
  };
  for (const n of nodes) {
    add(n.node, 'nic-out', n.nicTxUs);
    add(n.node, 'nic-in', n.nicRxUs);
    if (n.disk) {
      add(n.node, 'disk-write', n.disk.writeUs, 1, n.disk.writeDir);
      add(n.node, 'disk-read', n.disk.readUs, 1, n.disk.readDir);
    }
    if (n.cpu) add(n.node, 'cpu', n.cpu.busyUs, n.cpu.cores);
    if (n.threads) {
      add(n.node, 'network-threads', n.threads.networkUs, n.threads.network);
      add(n.node, 'io-threads', n.threads.ioUs, n.threads.io);
      add(n.node, 'request-queue', n.threads.queueFullUs);
    }
    if (n.processingUs !== undefined && n.processingUs > 0) add(n.node, 'processing', n.processingUs);
    if (n.connectionUs !== undefined && n.connectionUs > 0) add(n.node, 'connection', n.connectionUs);
  }
  return out;
}

/** A resource (or a producer's connection) busy at least this share of the time is saturated ({@link bottleneckOf}). */
export const SATURATED = 0.9;

/**
 * The bottleneck: the most utilized resource (the first of equals), or null when nothing was used. A
 * producer's connection is held while the broker handles a request of its, and so also while that
 * request waits for a busy NIC, disk, core or thread: it fills up whenever one of those does. It is
 * named only when it is saturated ({@link SATURATED}) and no resource is: then the limit is the
 * one-request-at-a-time connection itself (with `acks=all`, each request held while the followers fetch
 * it), not a resource.
 */
export function bottleneckOf(uses: readonly ResourceUse[]): ResourceUse | null {
  let best: ResourceUse | null = null;
  let conn: ResourceUse | null = null;
  for (const u of uses) {
    if (u.utilization <= 0) continue;
    if (u.resource === 'connection') {
      if (conn === null || u.utilization > conn.utilization) conn = u;
    } else if (best === null || u.utilization > best.utilization) best = u;
  }
  if (conn !== null && conn.utilization >= SATURATED && (best === null || best.utilization < SATURATED)) return conn;
  return best ?? conn;
}

/** 0.97 → `97%`, 0.004 → `0.4%`. */
export function formatUtilization(u: number): string {
  return u < 0.1 ? `${(u * 100).toFixed(1)}%` : `${Math.round(u * 100)}%`;
}

/** `b1 nic-out 97%`; a disk of several log directories with its directory, `b1 disk-write /data/2 97%`. */
export function formatBottleneck(b: Pick<ResourceUse, 'node' | 'resource' | 'utilization' | 'dir'> | null | undefined): string {
  return b === null || b === undefined ? '-' : `${b.node} ${b.resource}${b.dir === undefined ? '' : ` ${b.dir}`} ${formatUtilization(b.utilization)}`;
}
