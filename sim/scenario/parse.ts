/**
 * Scenario files: YAML (or JSON) text → the validated, normalized {@link Scenario} the model runs.
 *
 * Two stages. A zod schema checks the raw shape (types, unknown keys, unit syntax); it is also the source
 * of the JSON Schema editors use (`schema/scenario.schema.json`). Then normalization converts units,
 * merges Kafka configs with the version's defaults, and checks cross-references (topics, brokers,
 * producers, labels). Every problem is collected with its path; {@link ScenarioError}'s message is the
 * first one in file order, on one line: `<source>: <path>: <problem> (got <value>); expected <what>`.
 *
 * This module is the entry point and re-exports what the rest of the code base uses. The parts: names.ts
 * (names and defaults), schema.ts (the zod schema, the JSON Schema), problems.ts (problems, ScenarioError,
 * YAML and zod issues), normalize.ts with fields.ts, cluster.ts, workload.ts, targets.ts, faults.ts and
 * expectations.ts (normalization).
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Scenario } from './types.js';
import { ScenarioSchema } from './schema.js';
import { ScenarioError, Problems, firstLine, yamlError, scenarioError, zodMessage, translateIssue } from './problems.js';
import { normalize } from './normalize.js';

export {
  CHECK_NAMES,
  type CheckName,
  RECORD_COUNTERS,
  KAFKA_ERROR_NAMES,
  FAULT_VERBS,
  DEFAULT_NETWORK,
  DEFAULT_DISK,
  DEFAULT_SEED,
  DEFAULT_RECORD_BYTES,
  MAX_BROKERS,
} from './names.js';
export { scenarioJsonSchema } from './schema.js';
export { ScenarioError, type ScenarioProblem } from './problems.js';

/**
 * Parses and validates a scenario from YAML or JSON text.
 * @param source the file name used in messages (default `<scenario>`).
 * @throws ScenarioError with every problem found; its message is the first, on one line.
 */
export function parseScenario(text: string, source = '<scenario>'): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) throw yamlError(doc, lines, source);
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ScenarioError(source, [{ path: '', message: `invalid YAML: ${firstLine(String(e instanceof Error ? e.message : e))}` }]);
  }
  const problems = new Problems();
  if (input === null || input === undefined) {
    throw new ScenarioError(source, [{ path: '', message: 'empty scenario; expected a mapping with name, duration and cluster' }]);
  }
  const parsed = ScenarioSchema.safeParse(input, { error: zodMessage });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) translateIssue(issue, input, [], problems);
    throw scenarioError(source, problems, doc, lines);
  }
  const scenario = normalize(parsed.data, problems);
  if (problems.found.length > 0) throw scenarioError(source, problems, doc, lines);
  return scenario;
}
