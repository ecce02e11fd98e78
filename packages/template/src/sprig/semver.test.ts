import { describe, expect, it } from 'vitest';
import { SPRIG_SEMVER_CASES } from './testing/semver-cases.js';
import { render, renderError } from './testing/render.js';

describe('sprig semver functions', () => {
  it.each(SPRIG_SEMVER_CASES)('%s', (tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it("Masterminds' constraint rules", () => {
    const check = (c: string, v: string) => render(`{{ semverCompare "${c}" "${v}" }}`);
    expect(check('>= 1.2, < 3.0', '2.5.0')).toBe('true');
    expect(check('>= 1.2, < 3.0', '3.0.0')).toBe('false');
    expect(check('<1.0 || >=2.0', '2.1')).toBe('true');
    expect(check('!=1.2.3', '1.2.3')).toBe('false');
    expect(check('~1.2', 'v1.2.9')).toBe('true');
    expect(check('>=1.0', '1.5.0-beta')).toBe('false');
    expect(check('>=1.0-0', '1.5.0-beta')).toBe('true');
    expect(check('1.2 - 1.4.5', '1.4.5')).toBe('true');
  });

  it('versions print and compare as *semver.Version', () => {
    expect(render('{{ semver "v1.2" }} {{ (semver "v1.2").Original }} {{ (semver "1.2.3-rc.1").IncPatch }} {{ (semver "1.2.3").IncMinor }}')).toBe('1.2.0 v1.2 1.2.3 1.3.0');
    expect(render('{{ typeOf (semver "1.0.0") }} {{ (semver "1.0.0").LessThan (semver "1.0.1") }}')).toBe('*semver.Version true');
    expect(renderError('{{ semver "1.2.x" }}')).toContain('Invalid Semantic Version');
    expect(renderError('{{ semverCompare "nonsense" "1.0.0" }}')).toContain('improper constraint: nonsense');
  });
});
