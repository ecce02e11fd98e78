import { describe, expect, it } from 'vitest';
import { encodeRpcFrame, RpcFrameDecoder } from './frames.js';

describe('RPC frames', () => {
  it('keep a "__proto__" key, which msgpackr alone would rename, and every other value', () => {
    const body = JSON.parse('{"Services":{"__proto__":{"Meta":{"__proto__":"m","constructor":"c"}}}}') as object;
    const value = { Seq: 1, Method: 'Catalog.NodeServices', Body: body, Big: 2n ** 64n - 1n, Bytes: Buffer.from([1, 2, 3]) };
    const [back] = new RpcFrameDecoder().push(encodeRpcFrame(value)) as [typeof value];
    expect(JSON.stringify(back.Body)).toBe(JSON.stringify(body));
    expect(Object.getPrototypeOf(back.Body)).toBe(Object.prototype);
    expect(back.Big).toBe(2n ** 64n - 1n);
    expect([...back.Bytes]).toEqual([1, 2, 3]);
  });

  it('stay msgpack for ordinary values, also when "__proto__" is only a value', () => {
    const decoder = new RpcFrameDecoder();
    for (const value of [{ Seq: 2, Body: { Key: 'a' } }, { Seq: 3, Body: { Key: '__proto__' } }]) {
      const frame = encodeRpcFrame(value);
      expect(decoder.push(frame)).toEqual([value]);
    }
    expect(encodeRpcFrame({ Seq: 2, Body: { Key: 'a' } })[4]).not.toBe(0xff);
  });
});
