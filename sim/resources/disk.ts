/**
 * A broker machine's disks under the OS page cache. Appends land in the page cache (Kafka does not
 * fsync per write by default); the OS writes dirty data back when it is older than
 * vm.dirty_expire_centisecs (checked every 5 s by the flusher threads) or when there is more dirty
 * data than the background threshold; appends block when dirty data exceeds dirtyBytesMax. An fsync
 * (log.flush.interval.*) writes one log's dirty data now.
 *
 * With several log directories (`log.dirs`, JBOD) each directory is its own device with the machine's
 * disk spec, and a log's data goes to the device of its directory; the page cache and its dirty limits
 * are the machine's, shared by all of them (vm.dirty_* are system-wide). Each device does one write or
 * read at a time; background writeback runs on every device that has dirty data at once, as Linux has
 * one writeback worker per device (bdi).
 *
 * A process crash keeps the page cache (the OS still writes it back); a power loss drops every dirty
 * byte, and each log is cut back to its durable offset. A failed device (failDisk) loses everything on it:
 * its dirty data is dropped and its writes never finish, until a new, empty one replaces it.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { DiskSpec } from '../scenario/types.js';
import type { Trace } from '../trace/bus.js';

/**
 * What the disk needs of a file it writes back: a partition log (kafka/partition-log.ts) is one. The disk
 * knows files, not Kafka: it moves a file's durable offset forward as its dirty data reaches the device.
 */
export interface DiskFile {
  /** The topic-partition, for the trace. */
  readonly tp: string;
  /** Where the file ends now (the log end offset). */
  readonly leo: number;
  /** Up to where the file survives a power loss. */
  durableOffset: number;
  /** Its log directory: an index into the machine's devices (`log.dirs`). */
  readonly dir: number;
}

/** Dirty data of one log written in one 100 ms window: coalesced to keep the queue short. */
interface DirtyChunk {
  to: number;
  bytes: number;
  atUs: number;
}

interface DirtyLog {
  log: DiskFile;
  chunks: DirtyChunk[];
}

/** One device (a log directory's disk): the time it is free again and what it has done. */
interface Device {
  /** Slow-disk fault multiplier (1 = healthy). */
  slow: number;
  freeUs: number;
  writeBusyUs: number;
  readBusyUs: number;
  /** Background writeback is running on it. */
  background: boolean;
  /** The failDisk fault: the device is dead (until replaceDisk). */
  failed: boolean;
  /** Bumped when it fails: writes that were on their way to it never finish. */
  gen: number;
  /** Dirty bytes on their way to it (counted dirty until written). */
  writing: number;
}

const FLUSHER_PERIOD_US = 5_000_000;
const COALESCE_US = 100_000;
const MAX_WRITE_BYTES = 4 << 20;

export class Disk {
  private readonly devices: Device[];
  /** Each device's log directory, in log.dirs order (the trace names a failed disk by it). */
  private readonly dirNames: string[];
  private dirtyBytes = 0;
  private readonly dirty = new Map<DiskFile, DirtyLog>();
  /** Bumped by a power loss: writes that were on their way to a device never finish. */
  private gen = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly spec: DiskSpec,
    private readonly trace: Trace,
    private readonly broker: number,
    /** The machine's log directories (devices), or how many. */
    dirs: number | readonly string[] = 1,
  ) {
    this.dirNames = typeof dirs === 'number' ? Array.from({ length: Math.max(1, dirs) }, (_, i) => (dirs === 1 ? 'log.dir' : `dir${i}`)) : [...dirs];
    this.devices = this.dirNames.map(() => ({ slow: 1, freeUs: 0, writeBusyUs: 0, readBusyUs: 0, background: false, failed: false, gen: 0, writing: 0 }));
    this.kernel.after(FLUSHER_PERIOD_US, this.flusher);
  }

  /** The slowDisk fault: every device (or log directory `dir`'s) `factor` times slower; 1 restores it. */
  setSlow(factor: number, dir?: number): void {
    for (let i = 0; i < this.devices.length; i++) if (dir === undefined || i === dir) this.devices[i].slow = factor;
  }

  /**
   * The failDisk fault: log directory `dir`'s device dies. Its files' dirty data in the page cache can
   * never be written (the kernel drops it with the device); writes on their way never finish.
   */
  fail(dir: number): void {
    const dev = this.devices[dir];
    this.trace.emit({ type: 'disk', t: this.kernel.now, broker: this.broker, dir: this.dirNames[dir], state: 'failed' });
    dev.failed = true;
    dev.gen++;
    dev.freeUs = this.kernel.now;
    this.dirtyBytes -= dev.writing;
    dev.writing = 0;
    for (const [log, d] of this.dirty) {
      if (log.dir !== dir) continue;
      for (const c of d.chunks) this.dirtyBytes -= c.bytes;
      this.dirty.delete(log);
    }
  }

  /** The replaceDisk fault: a new, empty device in log directory `dir`. */
  replace(dir: number): void {
    const dev = this.devices[dir];
    this.trace.emit({ type: 'disk', t: this.kernel.now, broker: this.broker, dir: this.dirNames[dir], state: 'replaced' });
    dev.failed = false;
    dev.freeUs = this.kernel.now;
  }

  /** Log directory `dir`'s name (its entry of log.dirs). */
  dirName(dir: number): string {
    return this.dirNames[dir];
  }

  /** How many devices have failed and are not replaced yet. */
  get failedCount(): number {
    let n = 0;
    for (const d of this.devices) if (d.failed) n++;
    return n;
  }

  /** Whether log directory `dir`'s device has failed (and is not replaced yet). */
  failed(dir: number): boolean {
    return this.devices[dir].failed;
  }

  /** Whether a device is slowed (a slowDisk fault in force). */
  get slowed(): boolean {
    return this.devices.some((d) => d.slow !== 1);
  }

  /** How many log directories (devices) the machine has. */
  get dirCount(): number {
    return this.devices.length;
  }

  /** The busiest device's write time, µs (utilization: a log directory's disk saturates on its own). */
  get writeBusyUs(): number {
    let most = 0;
    for (const d of this.devices) most = Math.max(most, d.writeBusyUs);
    return most;
  }

  /** The busiest device's read time, µs. */
  get readBusyUs(): number {
    let most = 0;
    for (const d of this.devices) most = Math.max(most, d.readBusyUs);
    return most;
  }

  /** Each device's (log directory's) write and read time so far, µs, in log.dirs order. */
  deviceBusy(): Array<{ writeUs: number; readUs: number }> {
    return this.devices.map((d) => ({ writeUs: d.writeBusyUs, readUs: d.readBusyUs }));
  }

  /** Bytes this machine has written so far: a position in its page cache's history. */
  written = 0;
  /** Nothing written before this position is in the page cache (a power loss empties it). */
  private cacheFloor = 0;

  /** Whether data written at cache position `pos` is still in the page cache. */
  cached(pos: number): boolean {
    return pos >= this.cacheFloor && this.written - pos < this.spec.pageCacheBytes;
  }

  /** The oldest cache position still cached. */
  get cachedFrom(): number {
    return Math.max(this.cacheFloor, this.written - this.spec.pageCacheBytes);
  }

  /** Read `bytes` that missed the page cache from log directory `dir`: queued on its device. Returns the completion time (µs). */
  read(dir: number, bytes: number): number {
    const dev = this.devices[dir];
    const start = Math.max(this.kernel.now, dev.freeUs);
    const durUs = (this.spec.writeLatencyUs + (bytes * 1e6) / this.spec.readBytesPerSec) * dev.slow;
    const end = Math.ceil(start + durUs);
    dev.freeUs = end;
    dev.readBusyUs += durUs;
    return end;
  }

  /** Dirty bytes in the page cache now. */
  get dirtyNow(): number {
    return this.dirtyBytes;
  }

  /**
   * An append of `bytes` ending at offset `to` went to the page cache. Returns the time (µs) at which
   * the write() returns: now, unless dirty data is over the limit and the writer must wait.
   */
  write(log: DiskFile, to: number, bytes: number): number {
    this.written += bytes;
    let d = this.dirty.get(log);
    if (d === undefined) {
      d = { log, chunks: [] };
      this.dirty.set(log, d);
    }
    const now = this.kernel.now;
    const last = d.chunks.length > 0 ? d.chunks[d.chunks.length - 1] : undefined;
    if (last !== undefined && now - last.atUs < COALESCE_US) {
      last.to = to;
      last.bytes += bytes;
    } else {
      d.chunks.push({ to, bytes, atUs: now });
    }
    this.dirtyBytes += bytes;
    if (this.dirtyBytes > this.spec.dirtyBytesMax / 2) this.startBackground();
    if (this.dirtyBytes > this.spec.dirtyBytesMax) {
      // Throttled (balance_dirty_pages): wait until the log's device has written what is queued.
      return Math.max(now, this.devices[log.dir].freeUs);
    }
    return now;
  }

  /** fsync one log: write its dirty data now. Returns the completion time (µs). */
  fsync(log: DiskFile): number {
    const d = this.dirty.get(log);
    if (d === undefined || d.chunks.length === 0) return this.deviceWrite(this.devices[log.dir], 0, () => {});
    const chunks = d.chunks.splice(0);
    return this.writeChunks(log, chunks);
  }

  /** Power loss: every dirty byte is gone (the broker then cuts each log back to its durable offset). */
  powerLoss(): void {
    this.gen++;
    this.cacheFloor = this.written;
    this.dirty.clear();
    this.dirtyBytes = 0;
    for (const dev of this.devices) {
      dev.freeUs = this.kernel.now;
      dev.writing = 0;
    }
  }

  private deviceWrite(dev: Device, bytes: number, done: () => void): number {
    const start = Math.max(this.kernel.now, dev.freeUs);
    const durUs = (this.spec.writeLatencyUs + (bytes * 1e6) / this.spec.writeBytesPerSec) * dev.slow;
    const end = Math.ceil(start + durUs);
    dev.freeUs = end;
    dev.writeBusyUs += durUs;
    this.kernel.at(end, done);
    return end;
  }

  private writeChunks(log: DiskFile, chunks: DirtyChunk[]): number {
    let bytes = 0;
    for (const c of chunks) bytes += c.bytes;
    const to = chunks[chunks.length - 1].to;
    const gen = this.gen;
    const dev = this.devices[log.dir];
    const devGen = dev.gen;
    dev.writing += bytes;
    return this.deviceWrite(dev, bytes, () => {
      if (gen !== this.gen || devGen !== dev.gen) return;
      dev.writing -= bytes;
      this.dirtyBytes -= bytes;
      const durable = Math.min(to, log.leo);
      if (durable > log.durableOffset) {
        log.durableOffset = durable;
        this.trace.emit({ type: 'flush', t: this.kernel.now, broker: this.broker, tp: log.tp, to: durable });
      }
    });
  }

  /** The kernel flusher: every 5 s, write back data older than the expire age. */
  private readonly flusher = (): void => {
    const cutoff = this.kernel.now - this.spec.dirtyExpireUs;
    for (const d of this.dirty.values()) {
      let n = 0;
      while (n < d.chunks.length && d.chunks[n].atUs <= cutoff) n++;
      if (n > 0) this.writeChunks(d.log, d.chunks.splice(0, n));
    }
    this.kernel.after(FLUSHER_PERIOD_US, this.flusher);
  };

  /** Background writeback: on every device with dirty data, its oldest data first, in device-sized writes, until under the threshold. */
  private startBackground(): void {
    for (let i = 0; i < this.devices.length; i++) this.startBackgroundOn(i);
  }

  private startBackgroundOn(dir: number): void {
    const dev = this.devices[dir];
    if (dev.background) return;
    dev.background = true;
    const step = (): void => {
      if (this.dirtyBytes <= this.spec.dirtyBytesMax / 4) {
        dev.background = false;
        return;
      }
      let oldest: DirtyLog | undefined;
      for (const d of this.dirty.values()) {
        if (d.log.dir === dir && d.chunks.length > 0 && (oldest === undefined || d.chunks[0].atUs < oldest.chunks[0].atUs)) oldest = d;
      }
      if (oldest === undefined) {
        dev.background = false;
        return;
      }
      let n = 0;
      let bytes = 0;
      while (n < oldest.chunks.length && bytes < MAX_WRITE_BYTES) bytes += oldest.chunks[n++].bytes;
      const end = this.writeChunks(oldest.log, oldest.chunks.splice(0, n));
      this.kernel.at(end, step);
    };
    step();
  }
}
