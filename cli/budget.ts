/**
 * The command line's resource check before a run: the scenario's estimated memory (sim's estimateRunCost)
 * against this process's heap limit. A scenario too big is refused with the figures and how to give
 * node more, instead of running out of memory an hour in.
 */
import { getHeapStatistics } from 'node:v8';
import { budgetProblem, estimateRunCost, type Scenario } from '../sim/index.js';

/** Why the scenario's estimated memory does not fit under the heap limit (one line), or undefined when it does. */
export function budgetRefusal(scenario: Scenario, limitBytes = getHeapStatistics().heap_size_limit): string | undefined {
  const problem = budgetProblem(scenario, limitBytes, "this process (node's heap limit)");
  if (problem === undefined) return undefined;
  const mb = Math.ceil((estimateRunCost(scenario).bytes * 1.25) / 1e6 / 1024) * 1024;
  return `${problem}. Give node more with NODE_OPTIONS=--max-old-space-size=${mb}, or make the scenario smaller.`;
}
