/** leader-in-isr: an elected leader is always a member of the ISR (checked at every election and ISR change). */
import type { TraceEvent } from '../trace/events.js';
import type { Invariant } from './invariant.js';
import type { TraceState } from './state.js';
import type { Violations } from './violation.js';

export class LeaderInIsr implements Invariant {
  readonly check = 'leader-in-isr';

  event(ev: TraceEvent, state: TraceState, out: Violations): void {
    if (ev.type === 'election') {
      if (ev.leader >= 0 && !ev.isr.includes(ev.leader)) out.report(this.check, ev.tp, `leader ${ev.leader} elected at epoch ${ev.epoch} is not in the ISR [${ev.isr}]`, ev.t);
    } else if (ev.type === 'isr') {
      const p = state.part(ev.tp);
      if (p.leader >= 0 && !ev.isr.includes(p.leader)) out.report(this.check, ev.tp, `ISR [${ev.isr}] no longer contains leader ${p.leader}`, ev.t);
    }
  }
}
