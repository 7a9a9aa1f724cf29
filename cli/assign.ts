/**
 * `kafkasim assign`: what would Kafka's assignor give these consumers? Members and topics come from flags
 * (`--topics orders:6,audit:3 --members c1,c2,c3`) or from a YAML/JSON group file (`--file group.yaml`)
 * that can also give each member its subscription, owned partitions (for `uniform`, its current target
 * assignment), generation and group.instance.id, and the topics' ids (`uniform` orders topics by them).
 * Prints the assignment in the columns of `kafka-consumer-groups --describe` (or JSON with --json).
 */
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { AssignError, AssignorFailure, ASSIGNOR_NAMES, assign, type AssignorName, type GroupAssignment, type GroupMember, type TopicPartition } from '../sim/index.js';
import { table } from './format.js';

/** Bad input to `kafkasim assign`: one line, exit code 2. */
export class AssignInputError extends Error {}

export interface AssignOptions {
  assignor?: string;
  topics?: string;
  members?: string;
  subscribe?: string;
  file?: string;
  group?: string;
  json?: boolean;
  followUp?: boolean;
}

interface GroupSpec {
  assignor: AssignorName;
  group: string;
  topics: Record<string, number>;
  members: GroupMember[];
  topicIds?: Record<string, string>;
}

const FILE_KEYS = ['assignor', 'group', 'topics', 'members', 'topicIds'];
const MEMBER_KEYS = ['id', 'instance', 'topics', 'owns', 'generation'];

function fail(message: string): never {
  throw new AssignInputError(message);
}

function assignorName(text: string, where: string): AssignorName {
  if (!(ASSIGNOR_NAMES as readonly string[]).includes(text)) fail(`${where}: unknown assignor "${text}"; one of ${ASSIGNOR_NAMES.join(', ')}`);
  return text as AssignorName;
}

/** `orders:6,audit:3` → { orders: 6, audit: 3 }. */
export function parseTopicCounts(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of text.split(',').map((s) => s.trim())) {
    const m = /^(.+):(\d+)$/.exec(item);
    if (!m) fail(`--topics expects topic:partitions, comma-separated, e.g. orders:6,audit:3 (got "${item}")`);
    if (m[1]! in out) fail(`--topics: ${m[1]} is given twice`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

function list(text: string, flag: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) fail(`${flag} expects names separated by commas (got "${text}")`);
  return items;
}

/** "orders-3" or { topic, partition } → TopicPartition. */
function partitionRef(value: unknown, where: string): TopicPartition {
  if (typeof value === 'string') {
    const m = /^(.+)-(\d+)$/.exec(value);
    if (m) return { topic: m[1]!, partition: Number(m[2]) };
  } else if (value !== null && typeof value === 'object') {
    const v = value as { topic?: unknown; partition?: unknown };
    if (typeof v.topic === 'string' && typeof v.partition === 'number') return { topic: v.topic, partition: v.partition };
  }
  return fail(`${where}: expected a partition as topic-N, e.g. orders-3 (got ${JSON.stringify(value)})`);
}

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(`${where}: expected a list of names`);
  return value as string[];
}

function fileMember(raw: unknown, i: number, allTopics: string[]): GroupMember {
  const where = `members[${i}]`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${where}: expected a mapping with id (and optionally instance, topics, owns, generation)`);
  const m = raw as Record<string, unknown>;
  const unknown = Object.keys(m).find((k) => !MEMBER_KEYS.includes(k));
  if (unknown !== undefined) fail(`${where}: unknown key "${unknown}" (one of ${MEMBER_KEYS.join(', ')})`);
  if (typeof m.id !== 'string' && typeof m.id !== 'number') fail(`${where}: id (the member id) is required`);
  const id = String(m.id);
  if (m.instance !== undefined && typeof m.instance !== 'string') fail(`member ${id}: instance (group.instance.id) must be a string`);
  if (m.generation !== undefined && typeof m.generation !== 'number') fail(`member ${id}: generation must be a number`);
  const owns = m.owns === undefined ? [] : Array.isArray(m.owns) ? m.owns.map((o) => partitionRef(o, `member ${id}: owns`)) : fail(`member ${id}: owns must be a list`);
  return {
    memberId: id,
    ...(m.instance !== undefined ? { groupInstanceId: m.instance as string } : {}),
    topics: m.topics === undefined ? allTopics : stringList(m.topics, `member ${id}: topics`),
    ownedPartitions: owns,
    ...(m.generation !== undefined ? { generation: m.generation as number } : {}),
  };
}

function topicCounts(raw: unknown): Record<string, number> {
  if (typeof raw === 'string') return parseTopicCounts(raw);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('topics: expected a mapping of topic name to partition count, e.g. {orders: 6}');
  for (const [t, n] of Object.entries(raw)) if (typeof n !== 'number') fail(`topics: ${t}: expected a partition count (got ${JSON.stringify(n)})`);
  return raw as Record<string, number>;
}

function topicIdMap(raw: unknown, file: string): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${file}: topicIds: expected a mapping of topic name to topic id, e.g. {orders: AbCdEfGhIjKlMnOpQrStUv}`);
  for (const [t, id] of Object.entries(raw)) if (typeof id !== 'string') fail(`${file}: topicIds: ${t}: expected a topic id as kafka-topics prints it (got ${JSON.stringify(id)})`);
  return raw as Record<string, string>;
}

/** Reads a group file: assignor, group, topics, members, topicIds. */
export function parseGroupFile(text: string, file: string): Omit<GroupSpec, 'assignor' | 'group'> & { assignor?: AssignorName; group?: string } {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    return fail(`${file}: not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${file}: expected a mapping with topics and members`);
  const doc = raw as Record<string, unknown>;
  const unknown = Object.keys(doc).find((k) => !FILE_KEYS.includes(k));
  if (unknown !== undefined) fail(`${file}: unknown key "${unknown}" (one of ${FILE_KEYS.join(', ')})`);
  if (doc.topics === undefined) fail(`${file}: topics is required`);
  if (!Array.isArray(doc.members)) fail(`${file}: members must be a list`);
  const topics = topicCounts(doc.topics);
  const members = doc.members.map((m, i) => fileMember(m, i, Object.keys(topics)));
  return {
    topics,
    members,
    ...(doc.topicIds !== undefined ? { topicIds: topicIdMap(doc.topicIds, file) } : {}),
    ...(doc.assignor !== undefined ? { assignor: assignorName(String(doc.assignor), `${file}: assignor`) } : {}),
    ...(doc.group !== undefined ? { group: String(doc.group) } : {}),
  };
}

function groupSpec(opts: AssignOptions, readText: (path: string) => string): GroupSpec {
  const flagAssignor = opts.assignor === undefined ? undefined : assignorName(opts.assignor, '--assignor');
  if (opts.file !== undefined) {
    if (opts.topics !== undefined || opts.members !== undefined || opts.subscribe !== undefined) fail('give either --file or --topics/--members/--subscribe, not both');
    const spec = parseGroupFile(readText(opts.file), opts.file);
    return { ...spec, assignor: flagAssignor ?? spec.assignor ?? 'range', group: opts.group ?? spec.group ?? 'group' };
  }
  const topics = opts.topics === undefined ? undefined : parseTopicCounts(opts.topics);
  if (topics === undefined || opts.members === undefined) fail('give --topics and --members (e.g. --topics orders:6 --members c1,c2), or --file');
  const subscribed = opts.subscribe === undefined ? Object.keys(topics) : list(opts.subscribe, '--subscribe');
  const members = list(opts.members, '--members').map((memberId) => ({ memberId, topics: subscribed }));
  return { assignor: flagAssignor ?? 'range', group: opts.group ?? 'group', topics, members };
}

const name = (tp: TopicPartition) => `${tp.topic}-${tp.partition}`;

/** The assignment as `kafka-consumer-groups --describe` lays it out, then one line per member. */
export function formatAssignment(r: GroupAssignment, group: string): string {
  const owner = new Map<string, string>();
  for (const m of r.members) for (const tp of m.partitions) owner.set(name(tp), m.memberId);
  const withheld = new Map(r.withheld.map((w) => [name(w), w]));
  const rows: { tp: TopicPartition; row: string[] }[] = [];
  for (const m of r.members) for (const tp of m.partitions) rows.push({ tp, row: [group, tp.topic, String(tp.partition), m.memberId, ''] });
  for (const w of r.withheld) rows.push({ tp: w, row: [group, w.topic, String(w.partition), '-', `revoked from ${w.owners.join(', ')}; ${w.nextOwner} gets it in the follow-up rebalance`] });
  rows.sort((a, b) => (a.tp.topic < b.tp.topic ? -1 : a.tp.topic > b.tp.topic ? 1 : a.tp.partition - b.tp.partition));
  const path = r.path ? `, ${r.path} path` : '';
  const lines = [`assignor ${r.assignor}${path}: ${owner.size} partitions assigned${withheld.size > 0 ? `, ${withheld.size} withheld until their owner revokes them` : ''}`, ''];
  if (r.topicIds)
    lines.splice(
      1,
      0,
      `topic ids: ${Object.entries(r.topicIds)
        .map(([t, id]) => `${t} ${id}`)
        .join(', ')}`,
    );
  lines.push(...table([['GROUP', 'TOPIC', 'PARTITION', 'CONSUMER-ID', withheld.size > 0 ? 'NOTE' : ''], ...rows.map((x) => x.row)], [false, false, true]));
  lines.push('');
  const memberRows = r.members.map((m) => [group, m.memberId, m.groupInstanceId ?? '-', String(m.partitions.length), m.revoked.map(name).join(',') || '-']);
  lines.push(...table([['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', '#PARTITIONS', 'REVOKED'], ...memberRows], [false, false, false, true]));
  return lines.join('\n') + '\n';
}

function runAssignor(spec: GroupSpec, members: GroupMember[]): GroupAssignment {
  try {
    return assign(spec.assignor, members, spec.topics, spec.topicIds ? { topicIds: spec.topicIds } : {});
  } catch (e) {
    if (e instanceof AssignError) fail(e.message);
    if (e instanceof AssignorFailure) fail(`Kafka's ${spec.assignor} assignor throws on this input: ${e.message}`);
    throw e;
  }
}

/**
 * The rebalance that follows a cooperative one: every member now owns what it was given, one generation on
 * (ConsumerCoordinator rejoins after revoking, with the partitions it kept as ownedPartitions).
 */
export function followUpMembers(members: readonly GroupMember[], r: GroupAssignment): GroupMember[] {
  const generation = Math.max(0, ...members.map((m) => m.generation ?? 0)) + 1;
  return members.map((m, i) => ({ ...m, ownedPartitions: r.members[i]!.partitions, generation }));
}

/** Runs `kafkasim assign`; returns the exit code. */
export function assignCommand(opts: AssignOptions, out: (text: string) => void, readText: (path: string) => string): number {
  const spec = groupSpec(opts, readText);
  const result = runAssignor(spec, spec.members);
  const followUp = opts.followUp && result.withheld.length > 0 ? runAssignor(spec, followUpMembers(spec.members, result)) : undefined;
  if (opts.json) out(JSON.stringify({ group: spec.group, ...result, ...(followUp ? { followUp } : {}) }) + '\n');
  else {
    out(formatAssignment(result, spec.group));
    if (followUp) out(`\nThe follow-up rebalance, after the revocations:\n${formatAssignment(followUp, spec.group)}`);
    else if (opts.followUp) out('\nNo follow-up rebalance: nothing was withheld.\n');
  }
  return 0;
}

/** Adds `assign` to the program. */
export function addAssignCommand(program: Command, out: (text: string) => void, readText: (path: string) => string, setCode: (n: number) => void): void {
  program
    .command('assign')
    .description("what would Kafka's partition assignor give these consumers? (range, roundrobin, sticky, cooperative-sticky; uniform, KIP-848's server side)")
    .option(
      '-a, --assignor <name>',
      'partition.assignment.strategy: range (the default), roundrobin, sticky, cooperative-sticky; or uniform, the KIP-848 group.remote.assignor default (the server-side range gives what range gives)',
    )
    .option('--topics <topic:n,...>', 'topics and their partition counts, e.g. orders:6,audit:3')
    .option('--members <id,...>', 'member ids, e.g. c1,c2,c3 (each subscribes to --subscribe, default every topic)')
    .option('--subscribe <topic,...>', 'the topics every --members member subscribes to')
    .option('-f, --file <group.yaml>', 'the group as YAML/JSON: assignor, group, topics, members with id, instance, topics, owns, generation; topicIds (uniform)')
    .option('-g, --group <id>', 'group id to print (default: the file\'s group, else "group")')
    .option('--follow-up', 'cooperative-sticky: also run the rebalance that follows the revocations (JSON: followUp)')
    .option('--json', 'print the assignment as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  kafkasim assign --topics orders:6,audit:3 --members c1,c2,c3
  kafkasim assign --assignor cooperative-sticky --file group.yaml --json
  kafkasim assign --assignor uniform --topics orders:6,audit:3 --members c1,c2,c3

uniform (Kafka 4.1's UniformAssignor, group.protocol=consumer): "owns" is each member's current target
assignment; topics are ordered by their ids, which kafkasim derives from the names unless the file gives
the real ones (topicIds: {orders: <id from kafka-topics --describe>}).`,
    )
    .action((opts: AssignOptions) => setCode(assignCommand(opts, out, readText)));
}
