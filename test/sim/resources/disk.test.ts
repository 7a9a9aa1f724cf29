/**
 * A machine's disks with several log directories (log.dirs, JBOD): each directory is its own device, so
 * two logs on two directories are written back side by side while two logs on one directory queue; the
 * page cache and its dirty limits are the machine's; a lagging read goes to its directory's device; the
 * machine's disk utilization is its busiest device's.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../sim/kernel/kernel.js';
import { Disk, type DiskFile } from '../../../sim/resources/disk.js';
import { DEFAULT_DISK } from '../../../sim/scenario/names.js';
import type { DiskSpec } from '../../../sim/scenario/types.js';
import { Trace } from '../../../sim/trace/bus.js';
import { ArraySink } from '../../../sim/trace/events.js';

/** 100 MB/s devices, 1 ms a write, 100 MB of dirty data at most. */
const SPEC: DiskSpec = { ...DEFAULT_DISK, writeBytesPerSec: 100e6, readBytesPerSec: 100e6, writeLatencyUs: 1000, dirtyBytesMax: 100e6 };

function machine(dirs: number) {
  const kernel = new Kernel();
  const sink = new ArraySink();
  const none = { event: (): void => {} };
  const disk = new Disk(kernel, SPEC, new Trace(none, none, [sink]), 1, dirs);
  const file = (tp: string, dir: number): DiskFile & { leo: number } => ({ tp, leo: 0, durableOffset: 0, dir });
  /** Append `bytes` to `f` now (its end moves one offset). */
  const append = (f: DiskFile & { leo: number }, bytes: number) => {
    f.leo++;
    return disk.write(f, f.leo, bytes);
  };
  return { kernel, disk, file, append, flushes: () => sink.events.filter((e) => e.type === 'flush') };
}

/** A machine with two log directories and one log on each, `bytes` dirty on both. */
function twoLogs(bytes: number) {
  const m = machine(2);
  const a = m.file('t-0', 0);
  const b = m.file('t-1', 1);
  m.append(a, bytes);
  m.append(b, bytes);
  return { ...m, a, b };
}

describe('disks with several log directories', () => {
  it('fsyncs of logs on two directories run side by side; on one directory they queue', () => {
    /** 10 MB dirty on each of two logs, in directories 0 and `second`; then each fsynced: when each ends. */
    const fsyncs = (dirs: number, second: number) => {
      const { disk, file, append } = machine(dirs);
      const a = file('t-0', 0);
      const b = file('t-1', second);
      append(a, 10e6);
      append(b, 10e6);
      return [disk.fsync(a), disk.fsync(b)];
    };
    // 10 MB at 100 MB/s plus 1 ms: 101 ms each, on its own device; on one device, one after the other.
    expect(fsyncs(2, 1)).toEqual([101_000, 101_000]);
    expect(fsyncs(1, 0)).toEqual([101_000, 202_000]);
  });

  it('the page cache is shared: dirty data over the limit throttles a writer until its own device has caught up', () => {
    const throttled = (dirs: number) => {
      const { disk, file, append } = machine(dirs);
      // 60 MB on the first directory: over half the machine's 100 MB, so writeback starts (601 ms on its device).
      expect(append(file('t-0', 0), 60e6)).toBe(0);
      // 50 MB more on the last directory: 110 MB dirty, over the limit: this write waits.
      const t = append(file('t-1', dirs - 1), 50e6);
      expect(disk.dirtyNow).toBe(110e6);
      return t;
    };
    // Its own device writes its 50 MB back (501 ms), beside the other's 60 MB.
    expect(throttled(2)).toBe(501_000);
    // One device: it waits for the device to finish the first log's 60 MB (601 ms).
    expect(throttled(1)).toBe(601_000);
  });

  it('background writeback runs on every device with dirty data, each its own logs', () => {
    const { kernel, disk, a, b, flushes } = twoLogs(30e6);
    kernel.runUntil(1_000_000);
    // Both written back from 0 s on, in parallel: 30 MB each at 100 MB/s, done by 301 ms.
    const done = flushes().map((e) => [e.tp, e.t]);
    expect(done).toEqual([
      ['t-0', 301_000],
      ['t-1', 301_000],
    ]);
    expect(a.durableOffset).toBe(1);
    expect(b.durableOffset).toBe(1);
    expect(disk.dirtyNow).toBe(0);
  });

  it("a lagging read queues on its directory's device only", () => {
    const { disk } = machine(3);
    expect(disk.read(0, 10e6)).toBe(101_000);
    expect(disk.read(0, 10e6)).toBe(202_000);
    expect(disk.read(2, 10e6)).toBe(101_000);
  });

  it("the machine's utilization is its busiest device's, and each device's is reported", () => {
    const { disk, file, append } = machine(2);
    const a = file('t-0', 0);
    const b = file('t-1', 1);
    append(a, 20e6);
    append(b, 5e6);
    disk.fsync(a);
    disk.fsync(b);
    disk.read(1, 1e6);
    expect(disk.deviceBusy()).toEqual([
      { writeUs: 201_000, readUs: 0 },
      { writeUs: 51_000, readUs: 11_000 },
    ]);
    expect(disk.writeBusyUs).toBe(201_000);
    expect(disk.readBusyUs).toBe(11_000);
    expect(disk.dirCount).toBe(2);
  });

  it('a slowDisk of one directory slows its device only; restoring (or healing) gives every device its speed back', () => {
    const { disk, file, append } = machine(2);
    const a = file('t-0', 0);
    const b = file('t-1', 1);
    disk.setSlow(4, 1);
    expect(disk.slowed).toBe(true);
    append(a, 10e6);
    append(b, 10e6);
    expect(disk.fsync(a)).toBe(101_000);
    expect(disk.fsync(b)).toBe(404_000);
    expect(disk.read(1, 1e6)).toBe(404_000 + 44_000);
    disk.setSlow(1);
    expect(disk.slowed).toBe(false);
    expect(disk.read(0, 1e6)).toBe(101_000 + 11_000);
  });

  it('a failed disk drops its dirty data and never finishes its writes; the others carry on; a replacement is empty and working', () => {
    const { kernel, disk, file, append, flushes, a, b } = twoLogs(10e6);
    disk.fsync(a);
    disk.fsync(b);
    disk.fail(0);
    expect(disk.failed(0)).toBe(true);
    expect(disk.failedCount).toBe(1);
    kernel.runUntil(1_000_000);
    // Only the healthy directory's fsync reached its device.
    expect(flushes().map((e) => (e.type === 'flush' ? e.tp : ''))).toEqual(['t-1']);
    expect(a.durableOffset).toBe(0);
    const c = file('t-2', 0);
    append(c, 1e6);
    disk.fail(1);
    expect(disk.dirtyNow).toBe(1e6);
    disk.replace(0);
    expect(disk.failed(0)).toBe(false);
    expect(disk.failedCount).toBe(1);
  });
});
