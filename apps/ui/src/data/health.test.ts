import type { HealthCheck, ServiceEntry } from '@proconsul/api';
import { describe, expect, it } from 'vitest';
import { summarize, tally, worst } from './health.js';

const check = (Status: string) => ({ Status }) as Pick<HealthCheck, 'Status'>;

describe('health', () => {
  it('takes the worst status, unknown statuses counting as critical', () => {
    expect(worst([])).toBe('passing');
    expect(worst([check('passing'), check('warning')])).toBe('warning');
    expect(worst([check('warning'), check('critical'), check('passing')])).toBe('critical');
    expect(worst([check('maintenance')])).toBe('critical');
  });

  it('tallies checks per status', () => {
    expect(tally([check('passing'), check('passing'), check('warning'), check('critical')])).toEqual({ passing: 2, warning: 1, critical: 1 });
  });

  it('summarizes a service over all its instances, node checks included', () => {
    const entries = [
      { Checks: [check('passing'), check('passing')] },
      { Checks: [check('passing'), check('critical')] },
    ] as unknown as ServiceEntry[];
    expect(summarize('web', ['v1'], entries)).toEqual({ name: 'web', tags: ['v1'], instances: 2, checks: { passing: 3, warning: 0, critical: 1 }, status: 'critical' });
    expect(summarize('none', [], undefined).instances).toBe(0);
  });
});
