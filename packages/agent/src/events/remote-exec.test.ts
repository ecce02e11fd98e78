import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutputChunker } from './remote-exec-output.js';
import { decodeRemoteExecEvent, joinKey } from './remote-exec.js';
import { UserEvents } from './user-events.js';

describe('OutputChunker', () => {
  afterEach(() => vi.useRealTimers());

  it('sends full chunks at once and a partial one after the idle deadline', () => {
    vi.useFakeTimers();
    const chunks: string[] = [];
    const c = new OutputChunker((b) => chunks.push(b.toString()), 4, 500);
    c.write(Buffer.from('abcdefghij'));
    expect(chunks).toEqual(['abcd', 'efgh']);
    vi.advanceTimersByTime(499);
    expect(chunks).toEqual(['abcd', 'efgh']);
    // more output restarts the deadline
    c.write(Buffer.from('k'));
    vi.advanceTimersByTime(499);
    expect(chunks).toEqual(['abcd', 'efgh']);
    vi.advanceTimersByTime(1);
    expect(chunks).toEqual(['abcd', 'efgh', 'ijk']);
  });

  it('flush sends what is left and nothing when empty', () => {
    const chunks: string[] = [];
    const c = new OutputChunker((b) => chunks.push(b.toString()), 4096, 500);
    c.flush();
    c.write(Buffer.from('x\n'));
    c.flush();
    c.flush();
    expect(chunks).toEqual(['x\n']);
  });
});

describe('remote exec keys and payload', () => {
  it('joins keys as Go path.Join does', () => {
    expect(joinKey('_rexec', 'sid', 'node', 'out/00001')).toBe('_rexec/sid/node/out/00001');
    expect(joinKey('_rexec/', '/sid/', 'job')).toBe('_rexec/sid/job');
    expect(joinKey('a/./b', '..', 'c')).toBe('a/c');
  });

  it('decodes the event payload and refuses anything else', () => {
    const p = Buffer.from(JSON.stringify({ Prefix: '_rexec', Session: 's1' })).toString('base64');
    expect(decodeRemoteExecEvent(p)).toEqual({ Prefix: '_rexec', Session: 's1' });
    expect(decodeRemoteExecEvent(null)).toBeUndefined();
    expect(decodeRemoteExecEvent(Buffer.from('{"Prefix":1}').toString('base64'))).toBeUndefined();
  });
});

describe('_rexec events', () => {
  it('go to the remote exec handler and are never listed', () => {
    const events = new UserEvents();
    const got: string[] = [];
    events.onRemoteExec((e) => got.push(e.ID));
    const rexec = UserEvents.create({ name: '_rexec', payload: Buffer.from('{}'), node: '', service: '', tag: '' });
    const deploy = UserEvents.create({ name: 'deploy', payload: null, node: '', service: '', tag: '' });
    events.receive(rexec);
    events.receive(deploy);
    expect(got).toEqual([rexec.ID]);
    expect(events.list().map((e) => e.Name)).toEqual(['deploy']);
  });
});
