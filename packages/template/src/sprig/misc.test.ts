import { describe, expect, it } from 'vitest';
import { GoTime } from '../consul/gotime.js';
import { inZone, render, renderError } from './testing/render.js';

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
    expect(render('{{ ago . }} {{ unixEpoch . }} {{ (mustDateModify "1h" .).Unix }} {{ (must_date_modify "-1m" .).Unix }}', t)).toBe('24h0m0s 1767236645 1767240245 1767236585');
    expect(renderError('{{ mustDateModify "bad" . }}', t)).toContain('time: invalid duration "bad"');
  });

  describe('toDate and mustToDate parse Go layouts, in the local zone (TZ)', () => {
    inZone('UTC');

    it('reads dates, times, names, fractions and offsets', () => {
      // Sprig's own case (date_test.go), formatted with .Format as `date` is not hermetic.
      expect(render('{{ (toDate "2006-01-02" "2017-12-31").Format "02/01/2006" }}')).toBe('31/12/2017');
      expect(render('{{ toDate "2006-01-02" "2017-12-31" }}')).toBe('2017-12-31 00:00:00 +0000 UTC');
      expect(render('{{ toDate "Mon Jan _2 15:04:05 2006" "Tue Feb  3 04:05:06 2015" }}')).toBe('2015-02-03 04:05:06 +0000 UTC');
      expect(render('{{ toDate "02 Jan 06 15:04 MST" "13 Jun 19 20:39 GMT" | unixEpoch }}')).toBe('1560458340');
      expect(render('{{ toDate "2006-01-02T15:04:05Z07:00" "2020-05-06T07:08:09.123+02:00" }}')).toBe('2020-05-06 07:08:09.123 +0200 +0200');
      expect(render('{{ (toDate "2006-01-02T15:04:05Z07:00" "2020-05-06T07:08:09Z").Unix }}')).toBe('1588748889');
      expect(render('{{ toDate "January 2, 2006 3:04pm" "march 7, 2021 12:30am" }}')).toBe('2021-03-07 00:30:00 +0000 UTC');
      expect(render('{{ toDate "15:04" "10:30" }}')).toBe('0000-01-01 10:30:00 +0000 UTC');
      expect(render('{{ toDate "2006-01-02 15:04 -0700" "2024-02-29 23:59 -0330" | sprig_toJson }}')).toBe('"2024-02-29T23:59:00-03:30"');
    });

    it('gives the zero time on an error; mustToDate fails with Go\'s text', () => {
      expect(render('{{ toDate "2006-01-02" "2017-02-30" }}')).toBe('0001-01-01 00:00:00 +0000 UTC');
      expect(renderError('{{ mustToDate "2006-01-02" "2017-13-01" }}')).toContain('parsing time "2017-13-01": month out of range');
      expect(renderError('{{ mustToDate "2006-01-02" "2017-02-30" }}')).toContain('parsing time "2017-02-30": day out of range');
      expect(renderError('{{ mustToDate "2006-01-02" "17-01-01" }}')).toContain('parsing time "17-01-01" as "2006-01-02": cannot parse "17-01-01" as "2006"');
      expect(renderError('{{ mustToDate "2006-01-02" "2017/01/01" }}')).toContain('parsing time "2017/01/01" as "2006-01-02": cannot parse "/01/01" as "-"');
      expect(renderError('{{ mustToDate "2006" "2017 x" }}')).toContain('parsing time "2017 x": extra text: " x"');
      expect(renderError('{{ toDate 2006 "2017" }}')).toContain('wrong type for value; expected string; got int');
    });

    it('a time without a zone is local time', () => {
      process.env.TZ = 'America/New_York';
      expect(render('{{ $t := toDate "2006-01-02 15:04" "2024-01-15 10:30" }}{{ $t }} {{ $t.Unix }}')).toBe('2024-01-15 10:30:00 -0500 EST 1705332600');
      expect(render('{{ toDate "2006-01-02 15:04" "2024-07-15 10:30" }}')).toBe('2024-07-15 10:30:00 -0400 EDT');
      // An offset the local zone has then is the local zone.
      expect(render('{{ toDate "2006-01-02 15:04 -0700" "2024-07-15 10:30 -0400" }}')).toBe('2024-07-15 10:30:00 -0400 EDT');
    });
  });

  it('leaves out the non-hermetic functions, as consul-template does', () => {
    for (const fn of ['sprig_now', 'sprig_date', 'sprig_dateModify', 'sprig_env', 'sprig_expandenv', 'sprig_uuidv4', 'sprig_randAlpha', 'sprig_randBytes', 'sprig_getHostByName']) {
      expect(renderError(`{{ ${fn} }}`)).toContain(`function "${fn}" not defined`);
    }
  });
});
