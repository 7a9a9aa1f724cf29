/**
 * Hardware presets: a machine's NIC, disk, page cache and cores, by name (`cluster.hardware: m5.2xlarge`),
 * each from its published figures (docs/capacity.md lists them with their sources). A scenario's
 * `network:` and `disk:` fields override a preset's values, and `cluster.machines` gives one broker
 * another machine.
 */
import type { DiskSpec } from './types.js';

export interface HardwarePreset {
  /** NIC bandwidth each way, bytes/s (the sustained baseline for cloud instances). */
  nicBytesPerSec: number;
  disk: Omit<DiskSpec, 'dirtyBytesMax' | 'dirtyExpireUs'>;
  /** Cores (hardware threads; a cloud instance's vCPUs) the broker's threads run on. */
  cores: number;
  doc: string;
}

const GiB = 1024 ** 3;

export const HARDWARE_PRESETS: Readonly<Record<string, HardwarePreset>> = {
  default: {
    nicBytesPerSec: 1.25e9,
    disk: { writeBytesPerSec: 500e6, writeLatencyUs: 100, readBytesPerSec: 2e9, pageCacheBytes: 16 * GiB },
    cores: 8,
    doc: "kafkasim's default machine: 10 Gbit/s NIC, a datacentre NVMe SSD (500 MB/s writes), 16 GiB of page cache, 8 cores.",
  },
  'kreps-2014': {
    nicBytesPerSec: 125e6,
    disk: { writeBytesPerSec: 600e6, writeLatencyUs: 5_000, readBytesPerSec: 600e6, pageCacheBytes: 24 * GiB },
    cores: 12,
    doc: "Jay Kreps's 2014 benchmark machine: 1 Gb Ethernet, six 7200 rpm SATA drives (about 100 MB/s each, sequential), 32 GB RAM (24 GiB left for the page cache), a six-core Xeon with hyper-threading (12 threads).",
  },
  'm5.xlarge': {
    nicBytesPerSec: 156.25e6,
    disk: { writeBytesPerSec: 143.75e6, writeLatencyUs: 1_000, readBytesPerSec: 143.75e6, pageCacheBytes: 10 * GiB },
    cores: 4,
    doc: 'AWS m5.xlarge with EBS gp3: 4 vCPUs, 16 GiB, network baseline 1.25 Gbit/s (bursts to 10), EBS baseline 1,150 Mbit/s (143.75 MB/s).',
  },
  'm5.2xlarge': {
    nicBytesPerSec: 312.5e6,
    disk: { writeBytesPerSec: 287.5e6, writeLatencyUs: 1_000, readBytesPerSec: 287.5e6, pageCacheBytes: 24 * GiB },
    cores: 8,
    doc: 'AWS m5.2xlarge with EBS gp3: 8 vCPUs, 32 GiB, network baseline 2.5 Gbit/s (bursts to 10), EBS baseline 2,300 Mbit/s (287.5 MB/s).',
  },
  'm5.4xlarge': {
    nicBytesPerSec: 625e6,
    disk: { writeBytesPerSec: 593.75e6, writeLatencyUs: 1_000, readBytesPerSec: 593.75e6, pageCacheBytes: 56 * GiB },
    cores: 16,
    doc: 'AWS m5.4xlarge with EBS gp3: 16 vCPUs, 64 GiB, network baseline 5 Gbit/s (bursts to 10), EBS 4,750 Mbit/s (593.75 MB/s).',
  },
};

export const DEFAULT_HARDWARE = 'default';
