/**
 * A what-if worker: runs points of the what-if tab's grid, one per request, with the public API's
 * runPlanPoint, the function `kafkasim plan` runs, so a point's figures (and trace hash) are the CLI's.
 * A point the scenario rejects, or a failed run, is answered with a one-line error.
 */
import { runPlanPoint, ScenarioError } from '../../sim/index.js';
import type { WhatIfReply, WhatIfRequest } from './protocol.js';

const post = (m: WhatIfReply): void => (self as unknown as { postMessage(m: WhatIfReply): void }).postMessage(m);

/** The first problem of a rejected scenario, or the error's first line. */
export function errorLine(e: unknown): string {
  if (e instanceof ScenarioError) return e.message.split('\n').find((l) => l.trim() !== '' && !/^\S+\.ya?ml:?$/.test(l.trim())) ?? e.message;
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

self.onmessage = (e: MessageEvent<WhatIfRequest>) => {
  const { id, index, text, source, settings } = e.data;
  try {
    post({ id, index, figures: runPlanPoint(text, source, settings) });
  } catch (err) {
    post({ id, index, error: errorLine(err) });
  }
};
