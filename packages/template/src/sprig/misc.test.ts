import { describe, expect, it } from 'vitest';
import { GoTime } from '../consul/gotime.js';
import { render, renderError } from './testing/render.js';

describe('sprig reflection, path, encoding and date functions', () => {
  it('typeOf and kindOf name Go types and kinds', () => {
    expect(render('{{ typeOf 1 }} {{ typeOf 1.5 }} {{ typeOf "s" }} {{ typeOf (list) }} {{ typeOf (dict) }} {{ typeOf nil }}')).toBe('int float64 string []interface {} map[string]interface {} <nil>');
    expect(render('{{ kindOf 1 }} {{ kindOf (list) }} {{ kindOf (dict) }} {{ kindIs "string" "x" }} {{ typeIsLike "semver.Version" (semver "1.0.0") }}')).toBe('int slice map true true');
    expect(render('{{ deepEqual (list 1 (dict "a" 2)) (list 1 (dict "a" 2)) }} {{ deepEqual 1 1.5 }}')).toBe('true false');
  });

  it('paths follow Go path.Clean, Base, Dir, Ext', () => {
    expect(render('{{ base "/a/b/" }} {{ base "" }} {{ dir "/a/b/c" }} {{ dir "a" }} {{ clean "a//b/../c/." }} {{ clean "/../x" }} {{ ext "a/b.tar.gz" }} {{ isAbs "/x" }}')).toBe('b . /a/b . a/c /x .gz true');
    expect(render('{{ osBase "/a/b" }} {{ osDir "/a/b" }} {{ osClean "" }} {{ osExt "x" }}|{{ osIsAbs "x" }}')).toBe('b /a . |false');
  });

  it('base64 and base32 with Go error texts', () => {
    expect(render('{{ b64enc "coffee" }} {{ b64dec "Y29mZmVl" }} {{ b32enc "coffee" }} {{ b32dec "MNXWMZTFMU======" }}')).toBe('Y29mZmVl coffee MNXWMZTFMU====== coffee');
    expect(render('{{ b64dec "a" }}|{{ b32dec "1" }}')).toBe('illegal base64 data at input byte 0|illegal base32 data at input byte 0');
  });

  it('durations and times', () => {
    expect(render('{{ duration "95" }} {{ duration 3661 }} {{ duration "x" }}')).toBe('1m35s 1h1m1s 0s');
    expect(render('{{ durationRound "2h10m5s" }} {{ durationRound "400h" }} {{ durationRound "1s" }} {{ durationRound "-3m1s" }}')).toBe('2h 16d 0s 3m');
    const t = new GoTime(new Date(Date.UTC(2026, 0, 1, 3, 4, 5)));
    expect(render('{{ ago . }} {{ unixEpoch . }} {{ (dateModify "1h" .).Unix }} {{ (dateModify "bad" .).Unix }}', t)).toBe('24h0m0s 1767236645 1767240245 1767236645');
    expect(renderError('{{ mustDateModify "bad" . }}', t)).toContain('time: invalid duration "bad"');
  });

  it('refuses what it cannot do exactly, at parse time', () => {
    expect(renderError('{{ if false }}{{ sprig_genCA "x" 1 }}{{ end }}')).toContain('function "sprig_genCA" is not supported by proconsul-template (it builds X.509 certificates)');
    expect(renderError('{{ sprig_toDate "2006" "2020" }}')).toContain('it parses Go time layouts');
  });

  it('leaves out the non-hermetic functions, as consul-template does', () => {
    for (const fn of ['sprig_now', 'sprig_date', 'sprig_env', 'sprig_expandenv', 'sprig_uuidv4', 'sprig_randAlpha', 'sprig_randBytes', 'sprig_getHostByName']) {
      expect(renderError(`{{ ${fn} }}`)).toContain(`function "${fn}" not defined`);
    }
  });
});
