/**
 * The liveness bound of a scenario: how long a run must stay quiet and healed at its end for the
 * liveness checks (write-answered, fully-replicated) to be meaningful, derived from its configs.
 *
 * settle = max(the producers' request.timeout.ms, replica.socket.timeout.ms) + the session timeout +
 *          the producers' retry.backoff.max.ms + replica.fetch.backoff.ms + a 5 s margin.
 *   A request in flight across the heal may wait its timeout before it is retried (NetworkClient's
 *   request timeout; the replica fetcher's socket timeout, 30 s, Kafka's default, which the simulator
 *   uses); a broker the controller fenced is back after at most a session timeout (KRaft:
 *   broker.session.timeout.ms; ZooKeeper: zookeeper.session.timeout.ms); then one retry backoff; the
 *   margin covers round trips, metadata refreshes and elections.
 * catch-up = replica.lag.time.max.ms: how far behind the leader an in-sync follower may legitimately be.
 * bound = settle + catch-up. With Kafka 3.9's defaults: 30 + 9 + 1 + 1 + 5 = 46 s, plus 30 s: 76 s.
 */
import type { LivenessBounds } from '../checks/liveness.js';
import type { Scenario } from '../scenario/types.js';
import { num } from './configs.js';

/** replica.socket.timeout.ms: Kafka's default; the simulator's replica fetcher uses it. */
export const REPLICA_SOCKET_TIMEOUT_MS = 30_000;
const MARGIN_MS = 5000;

export function livenessBounds(s: Scenario): LivenessBounds {
  const c = s.cluster.config;
  const session = s.cluster.behaviour.controller === 'zookeeper' ? num(c, 'zookeeper.session.timeout.ms') : num(c, 'broker.session.timeout.ms');
  let request = 0;
  let backoff = 0;
  for (const p of s.producers) {
    request = Math.max(request, num(p.config, 'request.timeout.ms'));
    backoff = Math.max(backoff, num(p.config, 'retry.backoff.max.ms') ?? num(p.config, 'retry.backoff.ms'));
  }
  const fetchBackoff = num(c, 'replica.fetch.backoff.ms');
  const settleMs = Math.max(request, REPLICA_SOCKET_TIMEOUT_MS) + session + backoff + fetchBackoff + MARGIN_MS;
  const catchUpMs = num(c, 'replica.lag.time.max.ms');
  const derivation =
    `max(request.timeout.ms ${request}, replica.socket.timeout.ms ${REPLICA_SOCKET_TIMEOUT_MS}) + session timeout ${session}` +
    ` + retry.backoff.max.ms ${backoff} + replica.fetch.backoff.ms ${fetchBackoff} + margin ${MARGIN_MS} + replica.lag.time.max.ms ${catchUpMs} (ms)`;
  return { settleUs: settleMs * 1000, catchUpUs: catchUpMs * 1000, boundUs: (settleMs + catchUpMs) * 1000, derivation };
}

/** The liveness bound of a scenario, ms: the least `liveness:` for its liveness checks to run. */
export function livenessBoundMs(s: Scenario): number {
  return livenessBounds(s).boundUs / 1000;
}
