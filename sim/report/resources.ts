/**
 * Utilization of each resource of each node over a run, and the bottleneck: the most utilized one. A
 * resource's utilization is its busy time over the run's time (and over its servers, for a pool of
 * threads or cores); the request queue's is the share of the time it was full; a consumer's `processing`
 * is its application's time processing records (a consumer that cannot keep up is busy all the time).
 */

/** The resources a node has, as the run reports them. */
export const RESOURCE_NAMES = ['nic-out', 'nic-in', 'disk-write', 'disk-read', 'cpu', 'network-threads', 'io-threads', 'request-queue', 'processing'] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];

export interface ResourceUse {
  /** The node: `b1`, `p:NAME`, `c:NAME`, `ctl`. */
  node: string;
  resource: ResourceName;
  /** Busy time over the run's time (and servers), 0..1. */
  utilization: number;
}

/** What the run counted of one node's resources (busy µs, and the servers of a pool). */
export interface NodeBusy {
  node: string;
  nicTxUs: number;
  nicRxUs: number;
  disk?: { writeUs: number; readUs: number };
  cpu?: { busyUs: number; cores: number };
  threads?: { networkUs: number; network: number; ioUs: number; io: number; queueFullUs: number };
  /** A consumer's application: the time it spent processing what poll() returned (its one poll thread). */
  processingUs?: number;
}

/** Every resource's utilization over `runUs`, node by node in the order given. */
export function resourceUse(nodes: readonly NodeBusy[], runUs: number): ResourceUse[] {
  const out: ResourceUse[] = [];
  const add = (node: string, resource: ResourceName, busyUs: number, servers = 1) => {
    out.push({ node, resource, utilization: runUs <= 0 ? 0 : Math.min(1, busyUs / (servers * runUs)) });
  };
  for (const n of nodes) {
    add(n.node, 'nic-out', n.nicTxUs);
    add(n.node, 'nic-in', n.nicRxUs);
    if (n.disk) {
      add(n.node, 'disk-write', n.disk.writeUs);
      add(n.node, 'disk-read', n.disk.readUs);
    }
    if (n.cpu) add(n.node, 'cpu', n.cpu.busyUs, n.cpu.cores);
    if (n.threads) {
      add(n.node, 'network-threads', n.threads.networkUs, n.threads.network);
      add(n.node, 'io-threads', n.threads.ioUs, n.threads.io);
      add(n.node, 'request-queue', n.threads.queueFullUs);
    }
    if (n.processingUs !== undefined && n.processingUs > 0) add(n.node, 'processing', n.processingUs);
  }
  return out;
}

/** The most utilized resource (the first of equals), or null when nothing was used. */
export function bottleneckOf(uses: readonly ResourceUse[]): ResourceUse | null {
  let best: ResourceUse | null = null;
  for (const u of uses) if (u.utilization > 0 && (best === null || u.utilization > best.utilization)) best = u;
  return best;
}

/** 0.97 → `97%`, 0.004 → `0.4%`. */
export function formatUtilization(u: number): string {
  return u < 0.1 ? `${(u * 100).toFixed(1)}%` : `${Math.round(u * 100)}%`;
}

/** `b1 nic-out 97%`. */
export function formatBottleneck(b: Pick<ResourceUse, 'node' | 'resource' | 'utilization'> | null | undefined): string {
  return b === null || b === undefined ? '-' : `${b.node} ${b.resource} ${formatUtilization(b.utilization)}`;
}
