import { describe, expect, it } from 'vitest';
import type { ConfigEntry } from '@proconsul/catalog';
import { diffConfigEntries } from './replication.js';

const e = (Kind: string, Name: string, ModifyIndex: number): ConfigEntry => ({ Kind, Name, CreateIndex: 1, ModifyIndex }) as unknown as ConfigEntry;
const keys = (list: ConfigEntry[]): string[] => list.map((x) => `${x.Kind}/${x.Name ?? 'mesh'}`);

describe('diffConfigEntries (Consul config_replication.go)', () => {
  it('deletes what only this datacenter has and writes what only the primary has, by kind then name', () => {
    const local = [e('service-defaults', 'b', 3), e('proxy-defaults', 'global', 3), e('service-intentions', 'db', 3)];
    const remote = [e('service-resolver', 'a', 9), e('proxy-defaults', 'global', 2), e('service-defaults', 'a', 9)];
    const d = diffConfigEntries(local, remote, 5);
    expect(keys(d.deletions)).toEqual(['service-defaults/b', 'service-intentions/db']);
    expect(keys(d.updates)).toEqual(['service-defaults/a', 'service-resolver/a']);
  });

  it('writes an entry on both sides only when the primary changed it after the last round (any change on a full sync)', () => {
    const local = [e('service-defaults', 'a', 50), e('service-defaults', 'b', 50)];
    const remote = [e('service-defaults', 'a', 10), e('service-defaults', 'b', 4)];
    expect(keys(diffConfigEntries(local, remote, 5).updates)).toEqual(['service-defaults/a']);
    expect(keys(diffConfigEntries(local, remote, 0).updates)).toEqual(['service-defaults/a', 'service-defaults/b']);
    expect(diffConfigEntries(local, remote, 10).updates).toEqual([]);
  });

  it('a mesh entry is keyed by its kind alone', () => {
    const mesh = { Kind: 'mesh', CreateIndex: 1, ModifyIndex: 7 } as unknown as ConfigEntry;
    expect(diffConfigEntries([mesh], [{ ...mesh, ModifyIndex: 8 }], 7)).toEqual({ deletions: [], updates: [{ ...mesh, ModifyIndex: 8 }] });
  });
});
