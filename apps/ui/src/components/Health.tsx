/** Health status shown as a coloured mark plus the word (colour is never the only cue). */
import type { HealthStatus } from '@proconsul/api';
import type { Tally } from '../data/health.js';

export function HealthBadge({ status }: { status: HealthStatus }) {
  return (
    <span class={`badge badge-${status}`} data-status={status}>
      <span class="dot" aria-hidden="true" />
      {status}
    </span>
  );
}

/** "3 passing · 1 warning · 0 critical", zero counts dimmed. */
export function TallyLine({ tally }: { tally: Tally }) {
  return (
    <span class="tally" data-tally={`${tally.passing}/${tally.warning}/${tally.critical}`}>
      {(['passing', 'warning', 'critical'] as const).map((s) => (
        <span key={s} class={`tally-${s}${tally[s] === 0 ? ' zero' : ''}`} title={`${tally[s]} ${s} checks`}>
          <span class="dot" aria-hidden="true" />
          {tally[s]} {s}
        </span>
      ))}
    </span>
  );
}
