import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLoggers } from '../log.js';
import type { AgentMember, MembershipEvent } from './lan.js';
import { MemberSnapshot, SNAPSHOT_FILE } from './snapshot.js';

const log = createLoggers('error' as never).serf;

function event(type: MembershipEvent['type'], name: string, addr: string): MembershipEvent {
  const member = { Name: name, Addr: addr, Port: 8301, Tags: {}, Status: 1 } as unknown as AgentMember;
  return { type, member };
}

describe('MemberSnapshot', () => {
  let dir: string;
  const onDisk = (): { alive: Record<string, string>; left: boolean } => JSON.parse(readFileSync(join(dir, SNAPSHOT_FILE), 'utf8'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'proconsul-member-snapshot-'));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('remembers members named like Object.prototype members (`__proto__`, `constructor`) across a restart', () => {
    const s = new MemberSnapshot(dir, 'self', log);
    s.onMember(event('member-join', '__proto__', '127.0.0.2'));
    s.onMember(event('member-join', 'constructor', '127.0.0.3'));
    s.close();
    expect(JSON.stringify(onDisk().alive)).toBe('{"__proto__":"127.0.0.2:8301","constructor":"127.0.0.3:8301"}');
    expect(new MemberSnapshot(dir, 'self', log).previousMembers(false)).toEqual(['127.0.0.2:8301', '127.0.0.3:8301']);
  });

  it('writes a join on the next turn, then at most once a second, and what is pending on close', () => {
    const s = new MemberSnapshot(dir, 'self', log);
    s.start();
    s.onMember(event('member-join', 'a', '127.0.0.2'));
    vi.advanceTimersByTime(0);
    // On disk before any second has passed: a stop right after a join still rejoins.
    expect(onDisk().alive).toEqual({ a: '127.0.0.2:8301' });
    s.onMember(event('member-join', 'b', '::1'));
    vi.advanceTimersByTime(500);
    expect(onDisk().alive).toEqual({ a: '127.0.0.2:8301' });
    vi.advanceTimersByTime(500);
    expect(onDisk().alive).toEqual({ a: '127.0.0.2:8301', b: '[::1]:8301' });
    s.onMember(event('member-failed', 'a', '127.0.0.2'));
    s.close();
    expect(onDisk().alive).toEqual({ b: '[::1]:8301' });
    expect(new MemberSnapshot(dir, 'b', log).previousMembers(false)).toEqual([]);
    expect(new MemberSnapshot(dir, 'self', log).previousMembers(false)).toEqual(['[::1]:8301']);
  });

  it('remembers a graceful leave, which stops the next start from rejoining unless asked', () => {
    const s = new MemberSnapshot(dir, 'self', log);
    s.start();
    s.onMember(event('member-join', 'a', '127.0.0.2'));
    s.leave();
    expect(onDisk()).toEqual({ alive: { a: '127.0.0.2:8301' }, left: true });
    expect(new MemberSnapshot(dir, 'self', log).previousMembers(false)).toEqual([]);
    const again = new MemberSnapshot(dir, 'self', log);
    expect(again.previousMembers(true)).toEqual(['127.0.0.2:8301']);
    // A new run clears the leave on disk at once.
    again.start();
    expect(onDisk().left).toBe(false);
  });
});
