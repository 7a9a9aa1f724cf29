/**
 * `kafkasim assign`: what would Kafka's assignor give these consumers? Members and topics come from flags
 * (`--topics orders:6,audit:3 --members c1,c2,c3`) or from a YAML/JSON group file (`--file group.yaml`)
 * that can also give each member its subscription, owned partitions (for `uniform`, its current target
 * assignment), generation, group.instance.id and client.rack, the racks of each partition's replicas
 * (range and the sticky assignors are rack-aware, KIP-881), and the topics' ids (`uniform` orders topics by them).
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
  memberRacks?: string;
  partitionRacks?: string;
}

interface GroupSpec {
  assignor: AssignorName;
  group: string;
  topics: Record<string, number>;
  members: GroupMember[];
  topicIds?: Record<string, string>;
  partitionRacks?: Record<string, string[][]>;
}

const FILE_KEYS = ['assignor', 'group', 'topics', 'members', 'topicIds', 'partitionRacks'];
const MEMBER_KEYS = ['id', 'instance', 'topics', 'owns', 'generation', 'rack'];

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
  if (m.rack !== undefined && typeof m.rack !== 'string') fail(`member ${id}: rack (client.rack) must be a string`);
  const owns = m.owns === undefined ? [] : Array.isArray(m.owns) ? m.owns.map((o) => partitionRef(o, `member ${id}: owns`)) : fail(`member ${id}: owns must be a list`);
  return {
    memberId: id,
    ...(m.instance !== undefined ? { groupInstanceId: m.instance as string } : {}),
    topics: m.topics === undefined ? allTopics : stringList(m.topics, `member ${id}: topics`),
    ownedPartitions: owns,
    ...(m.generation !== undefined ? { generation: m.generation as number } : {}),
    ...(m.rack !== undefined ? { rack: m.rack as string } : {}),
  };
}

/** One partition's replica racks: a list of names, or one string "a,b" (or "a+b"). */
function rackList(raw: unknown, where: string): string[] {
  if (typeof raw === 'string') return raw === '' ? [] : raw.split(/[,+]/).map((r) => r.trim());
  return stringList(raw, where);
}

/** partitionRacks: topic → one entry per partition, the racks of its replicas. */
function partitionRackMap(raw: unknown, file: string): Record<string, string[][]> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    fail(`${file}: partitionRacks: expected a mapping of topic name to a list, per partition, of its replicas' racks, e.g. {orders: [[a, b], [b, c]]}`);
  const out: Record<string, string[][]> = {};
  for (const [t, lists] of Object.entries(raw)) {
    if (!Array.isArray(lists)) fail(`${file}: partitionRacks: ${t}: expected one list of racks per partition`);
    out[t] = lists.map((l, p) => rackList(l, `${file}: partitionRacks: ${t}-${p}`));
  }
  return out;
}

/** --member-racks c1:a,c2:b → each named member's client.rack. */
function withMemberRacks(members: GroupMember[], text: string): GroupMember[] {
  const racks = new Map<string, string>();
  for (const item of list(text, '--member-racks')) {
    const m = /^(.+):([^:]+)$/.exec(item);
    if (!m) fail(`--member-racks expects member:rack, comma-separated, e.g. c1:a,c2:b (got "${item}")`);
    if (!members.some((x) => x.memberId === m[1])) fail(`--member-racks: ${m[1]} is not one of the members`);
    racks.set(m[1]!, m[2]!);
  }
  return members.map((x) => (racks.has(x.memberId) ? { ...x, rack: racks.get(x.memberId)! } : x));
}

/** --partition-racks orders:a+b/b+c/c+a,audit:a/b/c → per topic, per partition (slash-separated), its replicas' racks (plus-separated). */
export function parsePartitionRacks(text: string): Record<string, string[][]> {
  const out: Record<string, string[][]> = {};
  for (const item of list(text, '--partition-racks')) {
    const m = /^(.+):([^:]*)$/.exec(item);
    if (!m) fail(`--partition-racks expects topic:racks/racks/..., e.g. orders:a+b/b+c/c+a (got "${item}")`);
    if (m[1]! in out) fail(`--partition-racks: ${m[1]} is given twice`);
    out[m[1]!] = m[2]!.split('/').map((p) => (p === '' ? [] : p.split('+')));
  }
  return out;
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
    ...(doc.partitionRacks !== undefined ? { partitionRacks: partitionRackMap(doc.partitionRacks, file) } : {}),
    ...(doc.assignor !== undefined ? { assignor: assignorName(String(doc.assignor), `${file}: assignor`) } : {}),
    ...(doc.group !== undefined ? { group: String(doc.group) } : {}),
  };
}

function groupSpec(opts: AssignOptions, readText: (path: string) => string): GroupSpec {
  const flagAssignor = opts.assignor === undefined ? undefined : assignorName(opts.assignor, '--assignor');
  const flagRacks = opts.partitionRacks === undefined ? {} : { partitionRacks: parsePartitionRacks(opts.partitionRacks) };
  if (opts.file !== undefined) {
    if (opts.topics !== undefined || opts.members !== undefined || opts.subscribe !== undefined) fail('give either --file or --topics/--members/--subscribe, not both');
    const spec = parseGroupFile(readText(opts.file), opts.file);
    const members = opts.memberRacks === undefined ? spec.members : withMemberRacks(spec.members, opts.memberRacks);
    return { ...spec, ...flagRacks, members, assignor: flagAssignor ?? spec.assignor ?? 'range', group: opts.group ?? spec.group ?? 'group' };
  }
  const topics = opts.topics === undefined ? undefined : parseTopicCounts(opts.topics);
  if (topics === undefined || opts.members === undefined) fail('give --topics and --members (e.g. --topics orders:6 --members c1,c2), or --file');
  const subscribed = opts.subscribe === undefined ? Object.keys(topics) : list(opts.subscribe, '--subscribe');
  const plain = list(opts.members, '--members').map((memberId) => ({ memberId, topics: subscribed }));
  const members = opts.memberRacks === undefined ? plain : withMemberRacks(plain, opts.memberRacks);
  return { assignor: flagAssignor ?? 'range', group: opts.group ?? 'group', topics, members, ...flagRacks };
}

const name = (tp: TopicPartition) => `${tp.topic}-${tp.partition}`;

/** Each member's rack and how many of its partitions have no replica there ('-' without a rack). */
function rackColumns(spec: Pick<GroupSpec, 'members' | 'partitionRacks'>, m: GroupAssignment['members'][number]): string[] {
  const rack = spec.members.find((x) => x.memberId === m.memberId)?.rack;
  if (rack === undefined || rack === '') return ['-', '-'];
  const off = m.partitions.filter((tp) => !(spec.partitionRacks?.[tp.topic]?.[tp.partition] ?? []).includes(rack)).length;
  return [rack, String(off)];
}

/**
 * The assignment as `kafka-consumer-groups --describe` lays it out, then one line per member; with racks
 * (`spec` has a member with one), each member's rack and the count of its partitions with no replica there.
 */
export function formatAssignment(r: GroupAssignment, group: string, spec?: Pick<GroupSpec, 'members' | 'partitionRacks'>): string {
  const owner = new Map<string, string>();
  for (const m of r.members) for (const tp of m.partitions) owner.set(name(tp), m.memberId);
  const withheld = new Map(r.withheld.map((w) => [name(w), w]));
  const rows: { tp: TopicPartition; row: string[] }[] = [];
  for (const m of r.members) for (const tp of m.partitions) rows.push({ tp, row: [group, tp.topic, String(tp.partition), m.memberId, ''] });
  for (const w of r.withheld) rows.push({ tp: w, row: [group, w.topic, String(w.partition), '-', `revoked from ${w.owners.join(', ')}; ${w.nextOwner} gets it in the follow-up rebalance`] });
  rows.sort((a, b) => (a.tp.topic < b.tp.topic ? -1 : a.tp.topic > b.tp.topic ? 1 : a.tp.partition - b.tp.partition));
  const path = `${r.path ? `, ${r.path} path` : ''}${r.rackAware ? ', rack-aware' : ''}`;
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
  const racks = spec?.members.some((m) => m.rack !== undefined && m.rack !== '') === true;
  const memberRows = r.members.map((m) => [group, m.memberId, m.groupInstanceId ?? '-', ...(racks ? rackColumns(spec!, m) : []), String(m.partitions.length), m.revoked.map(name).join(',') || '-']);
  const head = ['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', ...(racks ? ['CLIENT-RACK', '#OFF-RACK'] : []), '#PARTITIONS', 'REVOKED'];
  lines.push(...table([head, ...memberRows], [false, false, false, ...(racks ? [false, true] : []), true]));
  return lines.join('\n') + '\n';
}

function runAssignor(spec: GroupSpec, members: GroupMember[]): GroupAssignment {
  try {
    return assign(spec.assignor, members, spec.topics, { ...(spec.topicIds ? { topicIds: spec.topicIds } : {}), ...(spec.partitionRacks ? { partitionRacks: spec.partitionRacks } : {}) });
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
    out(formatAssignment(result, spec.group, spec));
    if (followUp) out(`\nThe follow-up rebalance, after the revocations:\n${formatAssignment(followUp, spec.group, spec)}`);
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
    .option('-f, --file <group.yaml>', 'the group as YAML/JSON: assignor, group, topics, members with id, instance, topics, owns, generation, rack; partitionRacks; topicIds (uniform)')
    .option('--member-racks <member:rack,...>', "members' client.rack, e.g. c1:a,c2:b,c3:c (KIP-881: range and the sticky assignors are rack-aware)")
    .option('--partition-racks <topic:racks/...>', "the racks of each partition's replicas, partitions split by /, racks by +: orders:a+b/b+c/c+a")
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
  kafkasim assign --topics orders:3 --members c1,c2,c3 --member-racks c1:a,c2:b,c3:c --partition-racks orders:c/a/b

Racks (KIP-881, Kafka 3.5+): range and the sticky assignors match members' racks with the replicas' racks
when some member's rack holds replicas and some partition is not on every rack; roundrobin and uniform
ignore racks (Kafka 4.1's server-side assignors have no rack-aware logic).

uniform (Kafka 4.1's UniformAssignor, group.protocol=consumer): "owns" is each member's current target
assignment; topics are ordered by their ids, which kafkasim derives from the names unless the file gives
the real ones (topicIds: {orders: <id from kafka-topics --describe>}).`,
    )
    .action((opts: AssignOptions) => setCode(assignCommand(opts, out, readText)));
}
