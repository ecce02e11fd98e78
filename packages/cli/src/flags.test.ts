import { describe, expect, it } from 'vitest';
import { FlagError, FlagSet, HelpRequested, parseGoUint } from './flags.js';

const set = () =>
  new FlagSet([
    { name: 'recurse', kind: 'bool', usage: '' },
    { name: 'separator', kind: 'string', default: '/', usage: '' },
    { name: 'flags', kind: 'uint', usage: '' },
    { name: 'port', kind: 'int', usage: '' },
    { name: 'meta', kind: 'map', usage: '' },
    { name: 'tag', kind: 'list', usage: '' },
  ]);

describe('FlagSet (Go flag semantics)', () => {
  it('accepts -x, --x, -x=v and -x v', () => {
    const f = set().parse(['--recurse', '-separator', ':', '-flags=42', '-port', '8080', 'key']);
    expect(f.bool('recurse')).toBe(true);
    expect(f.string('separator')).toBe(':');
    expect(f.uint('flags')).toBe(42n);
    expect(f.int('port')).toBe(8080);
    expect(f.args).toEqual(['key']);
    expect([...f.set].sort()).toEqual(['flags', 'port', 'recurse', 'separator']);
  });

  it('stops at the first non-flag argument and after --', () => {
    expect(set().parse(['key', '-recurse']).args).toEqual(['key', '-recurse']);
    expect(set().parse(['--', '-recurse']).args).toEqual(['-recurse']);
    expect(set().parse(['-', 'x']).args).toEqual(['-', 'x']);
  });

  it('uses defaults for flags not given', () => {
    const f = set().parse([]);
    expect(f.bool('recurse')).toBe(false);
    expect(f.string('separator')).toBe('/');
    expect(f.uint('flags')).toBe(0n);
    expect(f.map('meta')).toEqual({});
    expect(f.list('tag')).toEqual([]);
  });

  it('collects repeated map and list flags', () => {
    const f = set().parse(['-meta', 'a=1', '-meta=b=2=3', '-tag', 'x', '-tag', 'y']);
    expect(f.map('meta')).toEqual({ a: '1', b: '2=3' });
    expect(f.list('tag')).toEqual(['x', 'y']);
    // Keys named like Object.prototype members are ordinary keys.
    expect(JSON.stringify(set().parse(['-meta', '__proto__=p', '-meta', 'constructor=c']).map('meta'))).toBe('{"__proto__":"p","constructor":"c"}');
  });

  it('takes booleans only with =', () => {
    expect(set().parse(['-recurse=false']).bool('recurse')).toBe(false);
    expect(set().parse(['-recurse=t']).bool('recurse')).toBe(true);
    expect(set().parse(['-recurse', 'false']).args).toEqual(['false']);
  });

  it('gives Go\'s error texts', () => {
    expect(() => set().parse(['-nope'])).toThrow(new FlagError('flag provided but not defined: -nope'));
    expect(() => set().parse(['-separator'])).toThrow('flag needs an argument: -separator');
    expect(() => set().parse(['-recurse=maybe'])).toThrow('invalid boolean value "maybe" for -recurse: parse error');
    expect(() => set().parse(['-flags=-1'])).toThrow('invalid value "-1" for flag -flags: parse error');
    expect(() => set().parse(['-meta', 'novalue'])).toThrow('missing "=" value in argument: novalue');
    expect(() => set().parse(['---x'])).toThrow('bad flag syntax: ---x');
  });

  it('signals -h / -help as a help request', () => {
    expect(() => set().parse(['-h'])).toThrow(HelpRequested);
    expect(() => set().parse(['--help'])).toThrow(HelpRequested);
  });
});

describe('parseGoUint', () => {
  it('reads bases like strconv.ParseUint(s, 0, 64)', () => {
    expect(parseGoUint('18446744073709551615')).toBe(18446744073709551615n);
    expect(parseGoUint('18446744073709551616')).toBeUndefined();
    expect(parseGoUint('0x1f')).toBe(31n);
    expect(parseGoUint('017')).toBe(15n);
    expect(parseGoUint('0b101')).toBe(5n);
    expect(parseGoUint('12a')).toBeUndefined();
    expect(parseGoUint('')).toBeUndefined();
  });
});
