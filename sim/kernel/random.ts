/**
 * Named random streams derived from one seed. Each subsystem draws from its own stream
 * (`network`, `disk`, `placement`, `producer:p1`, ...), so adding a fault or a client never shifts
 * the numbers another stream produces. Alea (from seedrandom) is fast and identical in Node and browsers.
 */
import seedrandom from 'seedrandom';

export type Stream = () => number;

export class Streams {
  private readonly streams = new Map<string, Stream>();
  constructor(readonly seed: number) {}

  /** The stream called `name`, created on first use. Returns numbers in [0, 1). */
  get(name: string): Stream {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = seedrandom.alea(`${this.seed}/${name}`) as unknown as Stream;
      this.streams.set(name, s);
    }
    return s;
  }
}

/** An integer in [0, n). */
export function randInt(s: Stream, n: number): number {
  return Math.floor(s() * n);
}

/** Exponential with the given mean (0 → 0). */
export function randExp(s: Stream, mean: number): number {
  if (mean <= 0) return 0;
  return -mean * Math.log(1 - s());
}
