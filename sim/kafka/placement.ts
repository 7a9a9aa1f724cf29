/**
 * Replica placement for a new topic as KRaft's StripedReplicaPlacer does it (RackList, Rack, BrokerList).
 * Brokers are grouped by rack (brokers without `broker.rack` form one rack of their own); each rack keeps
 * a sorted list of unfenced and one of fenced brokers with a random starting offset, and the racks a
 * sorted list with a random starting offset. Partition p takes its leader from the first rack (from the
 * rack offset on) that still has an unfenced broker, then one replica from each following rack in turn
 * (unfenced brokers first), round and round until it has RF; the next partition starts one rack further.
 * Within a rack each epoch (one partition) moves the broker offset one further. After as many partitions
 * as unfenced brokers, the rack list and every broker list are reshuffled (Collections.shuffle).
 *
 * The random numbers come from the seeded `placement` stream, so placements differ from a real cluster's
 * for the same topic but follow the same pattern. Two choices keep the stream's use stable: racks draw
 * their offsets in rack-name order (Java: HashMap order), and the rack offset is only drawn when there
 * is more than one rack (Java's nextInt(1) is always 0), so a cluster without racks draws exactly what
 * it did before racks existed.
 */
import { randInt, type Stream } from '../kernel/random.js';

/** A broker the placer may use (Kafka's UsableBroker). */
export interface UsableBroker {
  id: number;
  /** broker.rack; undefined: no rack (all such brokers share one rack, Java's Optional.empty()). */
  rack?: string;
  fenced?: boolean;
}

/** Kafka's InvalidReplicationFactorException, with its message. */
export class InvalidReplicationFactorError extends Error {
  readonly code = 'INVALID_REPLICATION_FACTOR';
}

/** StripedReplicaPlacer.BrokerList. */
class BrokerList {
  readonly brokers: number[] = [];
  private index = 0;
  private offset = 0;
  private epoch = 0;

  initialize(rng: Stream): void {
    if (this.brokers.length === 0) return;
    this.brokers.sort((a, b) => a - b);
    this.offset = randInt(rng, this.brokers.length);
  }

  next(epoch: number): number {
    const n = this.brokers.length;
    if (n === 0) return -1;
    if (this.epoch !== epoch) {
      this.epoch = epoch;
      this.index = 0;
      this.offset = (this.offset + 1) % n;
    }
    if (this.index >= n) return -1;
    const broker = this.brokers[(this.index + this.offset) % n]!;
    this.index++;
    return broker;
  }
}

/** StripedReplicaPlacer.Rack: unfenced brokers first. */
class Rack {
  readonly fenced = new BrokerList();
  readonly unfenced = new BrokerList();

  next(epoch: number): number {
    const r = this.unfenced.next(epoch);
    return r >= 0 ? r : this.fenced.next(epoch);
  }
}

/** Rack names as OptionalStringComparator orders them: no rack first, then by name. */
const NO_RACK = '';
const rackKey = (rack: string | undefined): string => (rack === undefined ? NO_RACK : `=${rack}`);

/** StripedReplicaPlacer.RackList for a new topic (no existing partition assignments). */
export class RackList {
  private readonly racks = new Map<string, Rack>();
  private readonly rackNames: string[] = [];
  readonly numTotalBrokers: number;
  readonly numUnfencedBrokers: number;
  private epoch = 0;
  private offset = 0;

  constructor(
    brokers: readonly UsableBroker[],
    private readonly rng: Stream,
  ) {
    let total = 0;
    let unfenced = 0;
    for (const b of brokers) {
      const key = rackKey(b.rack);
      let rack = this.racks.get(key);
      if (!rack) {
        rack = new Rack();
        this.racks.set(key, rack);
        this.rackNames.push(key);
      }
      (b.fenced ? rack.fenced : rack.unfenced).brokers.push(b.id);
      if (!b.fenced) unfenced++;
      total++;
    }
    this.rackNames.sort(compareKeys);
    for (const key of this.rackNames) {
      const rack = this.racks.get(key)!;
      rack.fenced.initialize(rng);
      rack.unfenced.initialize(rng);
    }
    this.numTotalBrokers = total;
    this.numUnfencedBrokers = unfenced;
    if (this.rackNames.length > 1) this.offset = randInt(rng, this.rackNames.length);
  }

  /** RackList.place: the replicas of the next partition, leader first. */
  place(rf: number): number[] {
    checkReplicationFactor(rf, this.numTotalBrokers, this.numUnfencedBrokers);
    if (this.epoch === this.numUnfencedBrokers && this.numUnfencedBrokers > 1) {
      this.shuffle();
      this.epoch = 0;
    }
    if (this.offset === this.rackNames.length) this.offset = 0;
    const out: number[] = [];
    const names = this.rackNames;
    let first = this.offset;
    for (;;) {
      const r = this.racks.get(names[first]!)!.unfenced.next(this.epoch);
      if (r >= 0) {
        out.push(r);
        break;
      }
      first = (first + 1) % names.length;
    }
    let rackIndex = this.offset;
    for (let replica = 1; replica < rf; replica++) {
      let r = -1;
      do {
        if (rackIndex === first) first = -1;
        else r = this.racks.get(names[rackIndex]!)!.next(this.epoch);
        rackIndex = (rackIndex + 1) % names.length;
      } while (r < 0);
      out.push(r);
    }
    this.epoch++;
    this.offset++;
    return out;
  }

  private shuffle(): void {
    shuffle(this.rackNames, this.rng);
    for (const key of this.rackNames) {
      const rack = this.racks.get(key)!;
      shuffle(rack.fenced.brokers, this.rng);
      shuffle(rack.unfenced.brokers, this.rng);
    }
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The checks of StripedReplicaPlacer (throwInvalidReplicationFactorIf...), with Kafka's messages. */
function checkReplicationFactor(rf: number, total: number, unfenced: number): void {
  if (rf <= 0) throw new InvalidReplicationFactorError(`Invalid replication factor ${rf}: the replication factor must be positive.`);
  if (rf > total) throw new InvalidReplicationFactorError(`The target replication factor of ${rf} cannot be reached because only ${total} broker(s) are registered.`);
  if (unfenced === 0) throw new InvalidReplicationFactorError('All brokers are currently fenced.');
}

/**
 * StripedReplicaPlacer.place: the replica lists of a new topic's partitions. `brokers` are broker ids
 * (no racks, all unfenced) or UsableBrokers.
 * @throws InvalidReplicationFactorError as Kafka's InvalidReplicationFactorException.
 */
export function placeReplicas(brokers: readonly (number | UsableBroker)[], partitions: number, rf: number, rng: Stream): number[][] {
  const usable = brokers.map((b) => (typeof b === 'number' ? { id: b } : b));
  const list = new RackList(usable, rng);
  const out: number[][] = [];
  for (let p = 0; p < partitions; p++) out.push(list.place(rf));
  return out;
}

/** java.util.Collections.shuffle. */
function shuffle<T>(list: T[], rng: Stream): void {
  for (let i = list.length; i > 1; i--) {
    const j = randInt(rng, i);
    const t = list[i - 1]!;
    list[i - 1] = list[j]!;
    list[j] = t;
  }
}
