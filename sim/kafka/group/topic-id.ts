/**
 * Kafka's topic ids (`org.apache.kafka.common.Uuid`), as far as the KIP-848 server-side assignors look at
 * them: `hashCode()` decides where a topic sits in a `HashSet<Uuid>` or `HashMap<Uuid, …>`, and
 * `compareTo()` breaks ties between topics in the uniform assignor (kafka-source-notes §15).
 *
 * A real cluster draws each id at random when the topic is created (`Uuid.randomUuid()`). A group given by
 * topic names has none, so kafkasim derives one from the name (`topicIdFromName`): the same name always gets
 * the same id. Give the real ids (as `kafka-topics --describe` prints them) to reproduce a cluster exactly.
 */

/** A 128-bit Uuid as four 32-bit words, most significant first (w0 w1 = mostSignificantBits, w2 w3 = least). */
export interface TopicId {
  readonly words: readonly [number, number, number, number];
  /** Uuid.toString(): URL-safe base64 of the 16 bytes, without padding (22 characters). */
  readonly text: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function toBase64Url(words: readonly number[]): string {
  const bytes = words.flatMap((w) => [(w >>> 24) & 255, (w >>> 16) & 255, (w >>> 8) & 255, w & 255]);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let c = 0; c < chars; c++) out += ALPHABET[(chunk >>> (18 - 6 * c)) & 63];
  }
  return out;
}

function makeId(words: readonly number[]): TopicId {
  const w = words.map((x) => x | 0) as [number, number, number, number];
  return { words: w, text: toBase64Url(w) };
}

/** Uuid.fromString: 22 characters of URL-safe base64 (16 bytes); undefined when the text is not one. */
export function parseTopicId(text: string): TopicId | undefined {
  if (!/^[A-Za-z0-9_-]{22}$/.test(text)) return undefined;
  let bits = 0n;
  for (const ch of text) bits = (bits << 6n) | BigInt(ALPHABET.indexOf(ch));
  bits >>= 4n; // the last character carries 4 bits past the 16 bytes; Java's decoder ignores them
  const words = [3, 2, 1, 0].map((i) => Number((bits >> BigInt(32 * i)) & 0xffffffffn));
  return makeId(words);
}

/** FNV-1a over the UTF-16 code units, then murmur3's fmix32 so that near names spread. */
function nameWord(name: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) | 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * The id kafkasim gives a topic that has no real one: four 32-bit words hashed from the name. Like
 * `Uuid.randomUuid()`, it skips ids whose text starts with "-" and the reserved ZERO_UUID and ONE_UUID.
 */
export function topicIdFromName(name: string): TopicId {
  for (let attempt = 0; ; attempt++) {
    const key = attempt === 0 ? name : `${name}\u0000${attempt}`;
    const id = makeId([1, 2, 3, 4].map((seed) => nameWord(key, seed)));
    const [a, b, c, d] = id.words;
    const reserved = a === 0 && b === 0 && c === 0 && (d === 0 || d === 1);
    if (!id.text.startsWith('-') && !reserved) return id;
  }
}

/** Uuid.hashCode(): (int) (xor >> 32) ^ (int) xor, where xor = mostSignificantBits ^ leastSignificantBits. */
export function topicIdHash(id: TopicId): number {
  const [a, b, c, d] = id.words;
  return a ^ c ^ b ^ d;
}

/** Uuid.compareTo(): mostSignificantBits, then leastSignificantBits, each as a signed long. */
export function compareTopicIds(x: TopicId, y: TopicId): number {
  const [xa, xb, xc, xd] = x.words;
  const [ya, yb, yc, yd] = y.words;
  return xa - ya || (xb >>> 0) - (yb >>> 0) || xc - yc || (xd >>> 0) - (yd >>> 0);
}
