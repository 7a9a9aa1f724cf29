/**
 * Kafka's size and blocking limits, end to end: max.request.size and buffer.memory in send()
 * (KafkaProducer.ensureValidRecordSize), message.max.bytes / max.message.bytes on the broker
 * (MESSAGE_TOO_LARGE, and the producer's batch split), and buffer.memory with max.block.ms
 * (BufferExhaustedException). Each scenario is small and runs in well under a second.
 */
import { describe, expect, it } from 'vitest';
import { MESSAGE_FORMAT_BYTES, recordSizeUpperBound } from '../../../sim/kafka/clients/accumulator.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { ArraySink, type TraceEvent } from '../../../sim/trace/index.js';

type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

function run(yaml: string) {
  const sink = new ArraySink();
  const sim = createSimulation(parseScenario(yaml, 'limits.yaml'), { sinks: [sink] });
  sim.run();
  const summary = sim.summary();
  const of = <T extends TraceEvent['type']>(type: T) => sink.events.filter((e): e is Ev<T> => e.type === type);
  return { summary, of };
}

const oneBroker = (producer: string, topicConfig = '{}', duration = '5s') => `
name: limits
duration: ${duration}
cluster: { brokers: 1 }
topics: [{ name: t, partitions: 1, replication.factor: 1, config: ${topicConfig} }]
producers:
  - ${producer}
`;

describe("the producer's record size upper bound", () => {
  it('is the batch header plus DefaultRecord.recordSizeUpperBound (zigzag varints, a null key one byte)', () => {
    // Kafka 4.1 reports "The message is 2000088 bytes" for a 2,000,000-byte value without a key.
    expect(recordSizeUpperBound(0, 2_000_000)).toBe(2_000_088);
    expect(recordSizeUpperBound(5, 100)).toBe(61 + 21 + 1 + 5 + 2 + 100 + 1);
  });
});

describe('max.request.size and buffer.memory in send()', () => {
  it('fails every send() of a record over max.request.size with RecordTooLargeException and Kafka message, sending nothing', () => {
    const { summary, of } = run(oneBroker('{ name: p1, topic: t, rate: 100/s, recordSize: 2000000B }'));
    expect(summary.records).toMatchObject({ sent: 500, acked: 0, failed: 500 });
    const errs = of('sendError');
    expect(errs.reduce((n, e) => n + e.count, 0)).toBe(500);
    expect(errs[0].message).toBe('The message is 2000088 bytes when serialized which is larger than 1048576, which is the value of the max.request.size configuration.');
    expect(errs[0].t).toBe(0);
    // Reported together at most once a second, not once per record.
    expect(errs.length).toBeLessThanOrEqual(6);
    expect(of('batch')).toEqual([]);
    expect(summary.timeline.some((i) => i.kind === 'sendError' && i.text.includes('RecordTooLargeException'))).toBe(true);
  });

  it('names buffer.memory when the record fits max.request.size but not the buffer', () => {
    const { summary, of } = run(oneBroker('{ name: p1, topic: t, rate: 10/s, recordSize: 500000B, config: { buffer.memory: 400000, batch.size: 16384 } }'));
    expect(summary.records).toMatchObject({ sent: 50, failed: 50, acked: 0 });
    expect(of('sendError')[0].message).toBe('The message is 500087 bytes when serialized which is larger than the total memory buffer you have configured with the buffer.memory configuration.');
  });

  it('refuses batch.size above buffer.memory in the scenario, as the first send() would throw', () => {
    expect(() => run(oneBroker('{ name: p1, topic: t, rate: 10/s, config: { buffer.memory: 10000, batch.size: 16384 } }'))).toThrow(
      /Attempt to allocate 16384 bytes, but there is a hard limit of 10000 on memory allocations/,
    );
  });

  it('counts every failed send() of a huge rate of records that are all too large (by arithmetic, not one at a time)', () => {
    const { summary } = run(oneBroker('{ name: p1, topic: t, rate: 1000000/s, recordSize: 2MB }', '{}', '60s'));
    expect(summary.records.sent).toBe(60_000_000);
    expect(summary.records.failed).toBe(60_000_000);
  });
});

describe('message.max.bytes on the broker', () => {
  it('answers MESSAGE_TOO_LARGE for a record the producer let through (max.request.size raised), and the send fails with Kafka message', () => {
    const { summary, of } = run(oneBroker('{ name: p1, topic: t, rate: 10/s, recordSize: 2000000B, config: { max.request.size: 5000000 } }'));
    expect(summary.records).toMatchObject({ sent: 50, acked: 0, failed: 50 });
    const acks = of('ack');
    expect(acks.every((a) => a.error === 'MESSAGE_TOO_LARGE' && a.message === 'The request included a message larger than the max message size the server will accept.')).toBe(true);
    expect(of('append')).toEqual([]);
  });

  // Uncompressed, a batch of several records is never larger than batch.size, so ProducerBatch.split (by
  // batch.size) gives the same batch back: it helps only compressed batches, which the simulator does not model.
  it('keeps splitting into the same batch when max.message.bytes is below one batch, until delivery.timeout.ms expires it', () => {
    const { summary, of } = run(
      oneBroker('{ name: p1, topic: t, rate: 100/s, recordSize: 1000B, records: 10, config: { linger.ms: 100, delivery.timeout.ms: 2000, request.timeout.ms: 1000 } }', '{ max.message.bytes: 1500 }'),
    );
    expect(summary.records).toMatchObject({ sent: 10, acked: 0, failed: 10 });
    const splits = of('retry').filter((r) => r.error === 'MESSAGE_TOO_LARGE');
    expect(splits.length).toBeGreaterThan(10);
    // The split batch keeps its records' sequence numbers.
    expect(new Set(splits.map((r) => `${r.seq}+${r.count}`)).size).toBeLessThanOrEqual(2);
    expect(of('ack').every((a) => a.error === 'TimeoutException')).toBe(true);
  });
});

describe('buffer.memory and max.block.ms', () => {
  const yaml = `
name: buffer
duration: 30s
cluster: { brokers: 1 }
topics: [{ name: t, partitions: 4, replication.factor: 1 }]
producers:
  - { name: p1, topic: t, rate: 2000/s, recordSize: 1000B, config: { buffer.memory: 200000, max.block.ms: 3000, acks: 1 } }
faults:
  - { at: 5s, crash: broker 1 }
  - { at: 20s, restart: broker 1 }
`;
  it('blocks send() when the pool is used up and fails one record per max.block.ms with BufferExhaustedException', () => {
    const { summary, of } = run(yaml);
    const errs = of('sendError');
    expect(errs.length).toBeGreaterThanOrEqual(4);
    expect(errs.every((e) => e.error === 'BufferExhaustedException' && e.count === 1)).toBe(true);
    for (let i = 1; i < errs.length; i++) expect(errs[i].t - errs[i - 1].t).toBe(3_000_000);
    expect(errs[0].message).toMatch(
      /^Failed to allocate 16384 bytes within the configured max blocking time 3000 ms\. Total memory: 200000 bytes\. Available memory: \d+ bytes\. Poolable size: 16384 bytes$/,
    );
    expect(summary.records.failed).toBe(errs.length);
    // Twelve 16 KiB batches fill 200,000 bytes: the buffer holds no more.
    const inBatches = of('batch').filter((b) => b.t > 5_100_000 && b.t < 20_000_000);
    expect(inBatches.length).toBeLessThanOrEqual(12);
  });
});

describe('MESSAGE_FORMAT_BYTES', () => {
  it('v0 and v1: no batch header; per record the log overhead (12) and the message header (14, v1 with its 8-byte timestamp 22); v2: the 61-byte batch header', () => {
    expect(MESSAGE_FORMAT_BYTES.v0).toEqual({ batch: 0, record: 26 });
    expect(MESSAGE_FORMAT_BYTES.v1).toEqual({ batch: 0, record: 34 });
    expect(MESSAGE_FORMAT_BYTES.v2).toEqual({ batch: 61, record: 10 });
  });
});
