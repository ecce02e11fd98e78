import { serialize } from 'node:v8';
import { Catalog, type Command } from '@proconsul/catalog';
import { describe, expect, it } from 'vitest';
import { CatalogFsm, decodeCommand, encodeCommand } from './catalog-fsm.js';

describe('log entry payloads', () => {
  it('carry a command as msgpack, with uint64 Flags and undefined fields exact', () => {
    const cmd: Command = { Type: 'KV', Verb: 'set', Key: 'k', Value: 'dg==', Flags: 18446744073709551615n, Index: undefined };
    const data = encodeCommand(cmd);
    expect(data[0]).not.toBe(0xff);
    const back = decodeCommand(data) as typeof cmd;
    expect(back).toEqual(cmd);
    expect(back.Flags).toBe(18446744073709551615n);
    expect('Index' in back).toBe(true);
  });

  it('keep a "__proto__" key (msgpackr would rename it): such a command stays v8-serialized', () => {
    const cmd = JSON.parse('{"Type":"Register","Node":"n1","Address":"10.0.0.1","NodeMeta":{"__proto__":"x","a":"b"}}') as Command;
    const data = encodeCommand(cmd);
    expect(data[0]).toBe(0xff);
    const back = decodeCommand(data) as { NodeMeta: Record<string, string> };
    expect(Object.keys(back.NodeMeta)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(back.NodeMeta)).toBe(Object.prototype);
  });

  it('written by the previous release (v8) still apply', () => {
    const fsm = new CatalogFsm(new Catalog());
    const old = serialize({ Kind: 'command', Command: { Type: 'KV', Verb: 'set', Key: 'old', Value: 'dg==' } });
    expect(fsm.apply(1, old)).toMatchObject({ ok: true });
    expect(fsm.apply(2, encodeCommand({ Type: 'KV', Verb: 'set', Key: 'new', Value: 'dg==' }))).toMatchObject({ ok: true });
    expect(fsm.catalog.kvGet('old').value).toMatchObject({ Key: 'old', ModifyIndex: 1 });
    expect(fsm.catalog.kvGet('new').value).toMatchObject({ Key: 'new', ModifyIndex: 2 });
  });

  it('are applied without growing: the bytes the Raft log keeps get no property (a decoder cache would live as long as the entry)', () => {
    const fsm = new CatalogFsm(new Catalog());
    const data = encodeCommand({ Type: 'KV', Verb: 'set', Key: 'k', Value: 'dg==' });
    const before = Reflect.ownKeys(data);
    expect(fsm.apply(1, data)).toMatchObject({ ok: true });
    expect(decodeCommand(data)).toMatchObject({ Key: 'k' });
    expect(Reflect.ownKeys(data)).toEqual(before);
    expect(fsm.catalog.kvGet('k').value).toMatchObject({ Key: 'k', Value: 'dg==', ModifyIndex: 1 });
  });

  it('that are no entry decode to undefined', () => {
    expect(decodeCommand(Buffer.from([0xc1]))).toBeUndefined();
    expect(decodeCommand(Buffer.from([0xff, 0x00]))).toBeUndefined();
  });
});
