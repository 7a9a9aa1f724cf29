/**
 * CPU cost of Kafka's work, per request and per byte: what the broker's network and I/O threads and the
 * producer's compression spend. The figures are assumptions of a modern 3 GHz core, documented with
 * their sources in docs/capacity.md ("CPU costs"); all are µs, or ns per byte.
 *
 * Codecs are numbered as in a record batch's attributes (CompressionType.id): 0 none, 1 gzip, 2 snappy,
 * 3 lz4, 4 zstd.
 */

export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];

/**
 * Default uncompressed/compressed ratio per codec, rounded from the Silesia corpus figures of the zstd
 * benchmark table (zlib 6: 3.1, snappy: 2.1, lz4: 2.1, zstd 3: 3.2). A workload sets its own with
 * `compressionRatio`.
 */
export const DEFAULT_COMPRESSION_RATIO: readonly number[] = [1, 3, 2, 2, 3];

/** Producer: compressing, ns per uncompressed byte (gzip level 6 ~40 MB/s, snappy ~550, lz4 ~740, zstd level 3 ~350 MB/s per core). */
export const COMPRESS_NS_PER_BYTE: readonly number[] = [0, 25, 1.8, 1.35, 2.9];
/** Broker: decompressing to validate (LogValidator), ns per uncompressed byte (gzip ~400 MB/s, snappy ~1,750, lz4 ~4,500, zstd ~1,700). */
export const DECOMPRESS_NS_PER_BYTE: readonly number[] = [0, 2.5, 0.57, 0.22, 0.59];

export const CPU_COST = {
  /** Network thread: reading one request off its socket and parsing its header, µs. */
  requestReadUs: 5,
  /** Network thread: copying request bytes from the socket, ns per byte (memcpy and syscalls, ~4 GB/s). */
  socketReadNsPerByte: 0.25,
  /** Network thread: writing one response, µs. */
  responseWriteUs: 5,
  /** Network thread: a fetch response's bytes go out with sendfile (zero copy), ns per byte. */
  sendfileNsPerByte: 0.05,
  /** I/O thread: KafkaApis.handleProduceRequest's fixed work (lookups, the append's bookkeeping), µs. */
  produceRequestUs: 20,
  /** I/O thread: per batch (LogValidator's checks, offset assignment), µs. */
  produceBatchUs: 2,
  /** I/O thread: CRC32C of each batch (hardware-assisted, ~10 GB/s) and the copy into the page cache, ns per byte. */
  produceNsPerByte: 0.2,
  /** I/O thread: KafkaApis.handleFetchRequest's fixed work, µs. */
  fetchRequestUs: 10,
  /** I/O thread: per partition of a fetch (the log read's index lookups), µs. */
  fetchPartitionUs: 0.5,
  /** I/O thread: any other request (metadata, group coordination, OffsetsForLeaderEpoch), µs. */
  otherRequestUs: 10,
  /** Replica fetcher thread on a follower: CRC check and append of fetched bytes, ns per byte. */
  followerAppendNsPerByte: 0.2,
} as const;

/** The codec's number (0 none) from compression.type. */
export function codecId(name: string): number {
  const i = (CODECS as readonly string[]).indexOf(name);
  return Math.max(0, i);
}
