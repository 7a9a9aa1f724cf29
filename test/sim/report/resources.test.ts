/**
 * The bottleneck a run names: the most utilized resource; a producer's connection (held while a broker
 * handles one of its requests, and so also while that request waits for a busy resource) only when it is
 * saturated and no resource is.
 */
import { describe, expect, it } from 'vitest';
import { bottleneckOf, formatBottleneck, resourceUse, SATURATED, type ResourceUse } from '../../../sim/report/resources.js';

const use = (node: string, resource: ResourceUse['resource'], utilization: number): ResourceUse => ({ node, resource, utilization });

describe('bottleneckOf', () => {
  it('names the most utilized resource, the first of equals, and nothing when nothing was busy', () => {
    expect(bottleneckOf([use('b1', 'nic-out', 0.3), use('b2', 'disk-write', 0.5), use('b3', 'cpu', 0.5)])).toEqual(use('b2', 'disk-write', 0.5));
    expect(bottleneckOf([use('b1', 'nic-out', 0)])).toBeNull();
    expect(bottleneckOf([])).toBeNull();
  });

  it("names a producer's connection only when it is saturated and no resource is", () => {
    // The muted connection with acks=all: no resource busy, the connection held all the time.
    expect(bottleneckOf([use('b1', 'nic-in', 0.03), use('p:p1', 'connection', 1)])).toEqual(use('p:p1', 'connection', 1));
    // A saturated NIC holds the connection too: the NIC is the limit.
    expect(bottleneckOf([use('b1', 'nic-in', SATURATED), use('p:p1', 'connection', 1)])).toEqual(use('b1', 'nic-in', SATURATED));
    // A connection below saturation is not named over a resource, however idle that is.
    expect(bottleneckOf([use('b3', 'nic-out', 0.017), use('p:p1', 'connection', 0.6)])).toEqual(use('b3', 'nic-out', 0.017));
    // The busiest of several connections.
    expect(bottleneckOf([use('b1', 'nic-in', 0.4), use('p:p1', 'connection', 0.92), use('p:p2', 'connection', 0.98)])).toEqual(use('p:p2', 'connection', 0.98));
    // With no other resource used, a connection is what there is.
    expect(bottleneckOf([use('p:p1', 'connection', 0.2)])).toEqual(use('p:p1', 'connection', 0.2));
  });

  it("reports a producer's connection as a resource of its own, over the run's time", () => {
    const uses = resourceUse([{ node: 'p:p1', nicTxUs: 100, nicRxUs: 0, connectionUs: 750 }], 1_000);
    expect(uses).toContainEqual(use('p:p1', 'connection', 0.75));
    expect(resourceUse([{ node: 'p:p1', nicTxUs: 100, nicRxUs: 0 }], 1_000).map((u) => u.resource)).not.toContain('connection');
  });

  it('names the directory of a disk of several log directories, and none of a single disk', () => {
    const disk = { writeUs: 900, readUs: 100, writeDir: '/data/2', readDir: '/data/1' };
    const uses = resourceUse([{ node: 'b1', nicTxUs: 0, nicRxUs: 0, disk }], 1_000);
    expect(uses).toContainEqual({ node: 'b1', resource: 'disk-write', utilization: 0.9, dir: '/data/2' });
    expect(uses).toContainEqual({ node: 'b1', resource: 'disk-read', utilization: 0.1, dir: '/data/1' });
    expect(formatBottleneck(bottleneckOf(uses))).toBe('b1 disk-write /data/2 90%');
    const one = resourceUse([{ node: 'b1', nicTxUs: 0, nicRxUs: 0, disk: { writeUs: 900, readUs: 0 } }], 1_000);
    expect(formatBottleneck(bottleneckOf(one))).toBe('b1 disk-write 90%');
  });
});
