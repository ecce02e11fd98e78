import { describe, expect, it } from 'vitest';
import { SPRIG_URL_CASES } from './testing/url-cases.js';
import { render, renderError } from './testing/render.js';

describe('sprig url functions', () => {
  it.each(SPRIG_URL_CASES)('%s', (tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('parses like net/url', () => {
    expect(render('{{ urlParse "https://u:p@[::1]:8500/a%20b?x=1#frag" | toJson }}')).toBe(
      '{"fragment":"frag","host":"[::1]:8500","hostname":"::1","opaque":"","path":"/a b","query":"x=1","scheme":"https","userinfo":"u:p"}',
    );
    expect(render('{{ (urlParse "mailto:joe@example.com").opaque }}')).toBe('joe@example.com');
    expect(render('{{ urlJoin (dict "scheme" "http" "host" "h" "path" "a b") }}')).toBe('http://h/a%20b');
    expect(renderError('{{ urlParse "http://h/%zz" }}')).toContain('unable to parse url');
    expect(renderError('{{ urlJoin (dict "host" 1) }}')).toContain('unable to parse host key, must be of type string, but int found');
  });
});
