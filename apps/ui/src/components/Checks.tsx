/** A list of health checks, each with its status, kind and latest output. */
import type { HealthCheck } from '@proconsul/api';
import { HealthBadge } from './Health.js';

export function CheckList({ checks }: { checks: HealthCheck[] }) {
  if (checks.length === 0) return <p class="muted">No checks.</p>;
  return (
    <ul class="checks">
      {checks.map((c) => (
        <li key={`${c.Node}/${c.CheckID}`} class={`check check-${c.Status}`} data-check-id={c.CheckID}>
          <div class="check-head">
            <HealthBadge status={c.Status} />
            <strong class="check-name">{c.Name || c.CheckID}</strong>
            <span class="muted check-id">
              {c.CheckID}
              {c.Type ? ` · ${c.Type}` : ''}
              {c.ServiceID ? ` · service ${c.ServiceID}` : ' · node check'}
            </span>
          </div>
          {c.Notes ? <p class="check-notes">{c.Notes}</p> : null}
          <pre class="output" aria-label="check output">{c.Output || '(no output)'}</pre>
        </li>
      ))}
    </ul>
  );
}
