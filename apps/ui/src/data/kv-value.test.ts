import { describe, expect, it } from 'vitest';
import { asJson, decodeValue, parentFolder } from './kv-value.js';

describe('kv values', () => {
  it('decodes UTF-8 text and reports other bytes as binary', () => {
    expect(decodeValue({ Value: Buffer.from('héllo').toString('base64') })).toEqual({ kind: 'text', text: 'héllo' });
    expect(decodeValue({ Value: null })).toEqual({ kind: 'text', text: '' });
    expect(decodeValue({ Value: Buffer.from([0xff, 0xfe, 0x00]).toString('base64') })).toEqual({ kind: 'binary', base64: '//4A', size: 3 });
  });

  it('pretty-prints JSON and explains invalid JSON', () => {
    expect(asJson('{"a":[1,2]}')).toEqual({ ok: true, pretty: '{\n  "a": [\n    1,\n    2\n  ]\n}' });
    expect(asJson('{nope').ok).toBe(false);
  });

  it('finds the parent folder of keys and folders', () => {
    expect(parentFolder('a/b/c')).toBe('a/b/');
    expect(parentFolder('a/b/')).toBe('a/');
    expect(parentFolder('a')).toBe('');
    expect(parentFolder('a/')).toBe('');
  });
});
