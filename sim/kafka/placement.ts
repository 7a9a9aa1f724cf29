/**
 * Replica placement for a new topic as KRaft's StripedReplicaPlacer does it without racks, with every
 * broker unfenced: brokers sorted, a random starting offset; partition p takes consecutive brokers
 * starting one further each time; after as many partitions as brokers the list is reshuffled
 * (Collections.shuffle). The random numbers come from the seeded `placement` stream, so placements
 * differ from a real cluster's for the same topic but follow the same pattern.
 */
import { randInt, type Stream } from '../kernel/random.js';

export function placeReplicas(brokers: number[], partitions: number, rf: number, rng: Stream): number[][] {
  const list = [...brokers].sort((a, b) => a - b);
  const n = list.length;
  let offset = randInt(rng, n);
  let storedEpoch = 0;
  let epoch = 0;
  const out: number[][] = [];
  for (let p = 0; p < partitions; p++) {
    if (epoch === n && n > 1) {
      shuffle(list, rng);
      epoch = 0;
    }
    if (storedEpoch !== epoch) {
      storedEpoch = epoch;
      offset = (offset + 1) % n;
    }
    const replicas: number[] = [];
    for (let i = 0; i < rf; i++) replicas.push(list[(offset + i) % n]);
    out.push(replicas);
    epoch++;
  }
  return out;
}

/** java.util.Collections.shuffle. */
function shuffle(list: number[], rng: Stream): void {
  for (let i = list.length; i > 1; i--) {
    const j = randInt(rng, i);
    const t = list[i - 1];
    list[i - 1] = list[j];
    list[j] = t;
  }
}
