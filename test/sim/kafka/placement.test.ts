/**
 * Replica placement against KRaft's StripedReplicaPlacer, traced by hand from its Java source
 * (RackList.place, Rack.next, BrokerList.next) for small clusters with a scripted random source.
 */
import { describe, expect, it } from 'vitest';
import { InvalidReplicationFactorError, placeReplicas } from '../../../sim/kafka/placement.js';
import { randInt, Streams, type Stream } from '../../../sim/kernel/random.js';

/** A random source that makes randInt(n) return the scripted k for each [k, n] in turn. */
function scripted(...draws: Array<[number, number]>): Stream {
  let i = 0;
  return () => {
    const d = draws[i++];
    if (!d) throw new Error(`draw ${i} not scripted`);
    return (d[0] + 0.5) / d[1];
  };
}

describe('StripedReplicaPlacer with racks', () => {
  it('stripes 6 brokers over racks a, b, c: one replica per rack, leader rack and broker offsets advancing', () => {
    // Draws: unfenced offsets of racks a, b, c (2 brokers each), then the rack offset (3 racks).
    const rng = scripted([0, 2], [0, 2], [0, 2], [0, 3]);
    const brokers = [1, 2, 3, 4, 5, 6].map((id) => ({ id, rack: ['a', 'b', 'c'][Math.floor((id - 1) / 2)] }));
    // Partition p starts at rack p mod 3; each rack's broker offset moves one further per partition.
    expect(placeReplicas(brokers, 6, 3, rng)).toEqual([
      [1, 3, 5],
      [4, 6, 2],
      [5, 1, 3],
      [2, 4, 6],
      [3, 5, 1],
      [6, 2, 4],
    ]);
  });

  it('takes the leader from an unfenced broker, then fenced ones only when a rack has no unfenced broker left', () => {
    // a: 1, 2, 3; b: 4 (fenced); c: 5. Draws: a.unfenced offset 2 of 3, b.fenced 0 of 1, c.unfenced 0 of 1, rack offset 1 of 3.
    const rng = scripted([2, 3], [0, 1], [0, 1], [1, 3]);
    const brokers = [
      { id: 1, rack: 'a' },
      { id: 2, rack: 'a' },
      { id: 3, rack: 'a' },
      { id: 4, rack: 'b', fenced: true },
      { id: 5, rack: 'c' },
    ];
    expect(placeReplicas(brokers, 4, 3, rng)).toEqual([
      [5, 4, 3],
      [5, 1, 4],
      [2, 4, 5],
      [5, 4, 3],
    ]);
  });

  it('throws InvalidReplicationFactorException with Kafka messages', () => {
    const rng = new Streams(1).get('placement');
    const racked = [1, 2, 3].map((id) => ({ id, rack: 'a' }));
    expect(() => placeReplicas(racked, 1, 4, rng)).toThrow(new InvalidReplicationFactorError('The target replication factor of 4 cannot be reached because only 3 broker(s) are registered.'));
    expect(() => placeReplicas([{ id: 1, fenced: true }], 1, 1, rng)).toThrow('All brokers are currently fenced.');
  });

  it('places RF 3 on 3 racks one replica per rack for any seed', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rng = new Streams(seed).get('placement');
      const rackOf = (id: number) => ['x', 'y', 'z'][id % 3]!;
      const brokers = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((id) => ({ id, rack: rackOf(id) }));
      for (const r of placeReplicas(brokers, 12, 3, rng)) expect(new Set(r.map(rackOf)).size, `seed ${seed}`).toBe(3);
    }
  });
});

/** The placer as it was before racks (one rack, all unfenced): a cluster without racks must place the same. */
function placeNoRacks(brokers: number[], partitions: number, rf: number, rng: Stream): number[][] {
  const list = [...brokers].sort((a, b) => a - b);
  const n = list.length;
  let offset = randInt(rng, n);
  let storedEpoch = 0;
  let epoch = 0;
  const out: number[][] = [];
  for (let p = 0; p < partitions; p++) {
    if (epoch === n && n > 1) {
      for (let i = list.length; i > 1; i--) {
        const j = randInt(rng, i);
        [list[i - 1], list[j]] = [list[j]!, list[i - 1]!];
      }
      epoch = 0;
    }
    if (storedEpoch !== epoch) {
      storedEpoch = epoch;
      offset = (offset + 1) % n;
    }
    out.push(Array.from({ length: rf }, (_, i) => list[(offset + i) % n]!));
    epoch++;
  }
  return out;
}

describe('StripedReplicaPlacer without racks', () => {
  it('places as the rackless placer did, drawing the same random numbers', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const n = 1 + (seed % 7);
      const brokers = Array.from({ length: n }, (_, i) => i + 1);
      const rf = 1 + (seed % n);
      const a = new Streams(seed).get('placement');
      const b = new Streams(seed).get('placement');
      expect(placeReplicas(brokers, 3 * n + 1, rf, a), `seed ${seed}`).toEqual(placeNoRacks(brokers, 3 * n + 1, rf, b));
      expect(a(), `seed ${seed}: the stream is left where it was`).toBe(b());
    }
  });
});
