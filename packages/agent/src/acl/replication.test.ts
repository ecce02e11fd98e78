import { Catalog, type Command } from '@proconsul/catalog';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AclReplicator, GO_ZERO_TIME, type PrimaryGet } from './replication.js';

const log = pino({ level: 'silent' });

/** A primary answering the replication reads from fixed lists (a blocking read answers after 20 ms). */
function primary(state: { index: number; policies: Record<string, unknown>[]; tokens: Record<string, unknown>[]; redact?: boolean }): { get: PrimaryGet; asked: string[] } {
  const asked: string[] = [];
  const get: PrimaryGet = async (path, token) => {
    asked.push(path);
    expect(token).toBe('repl');
    const url = new URL(path, 'http://primary');
    if (Number(url.searchParams.get('index') ?? 0) >= state.index) await new Promise((r) => setTimeout(r, 20));
    const ok = (v: unknown) => ({ status: 200, index: state.index, body: JSON.stringify(v) });
    const [, , , kind, id] = url.pathname.split('/');
    if (kind === 'policies') return ok(state.policies.map(({ Rules: _r, ...stub }) => stub));
    if (kind === 'roles') return ok([]);
    if (kind === 'tokens') return ok(state.tokens.map(({ SecretID: _s, ...stub }) => stub));
    const found = (kind === 'policy' ? state.policies.find((p) => p.ID === id) : state.tokens.find((t) => t.AccessorID === id)) as Record<string, unknown> | undefined;
    if (!found) return { status: 404, index: state.index, body: 'not found' };
    return ok(kind === 'token' && state.redact ? { ...found, SecretID: '<hidden>' } : found);
  };
  return { get, asked };
}

function secondary(get: PrimaryGet, tokenReplication = true): { catalog: Catalog; replicator: AclReplicator } {
  const catalog = new Catalog();
  let idx = 100; // past what a test writes directly
  const apply = async (cmd: Command) => catalog.apply(++idx, cmd);
  const replicator = new AclReplicator({ primaryDatacenter: 'dc1', tokenReplication, replicationToken: () => 'repl', get, store: () => catalog.acl, apply, log });
  return { catalog, replicator };
}

const token = (id: string, local: boolean, policy = 'p1') => ({
  AccessorID: id, SecretID: `secret-${id}`, Description: id, Policies: [{ ID: policy, Name: 'web' }], Local: local,
  CreateTime: '2026-01-01T00:00:00Z', Hash: `h-${id}`, CreateIndex: 3, ModifyIndex: 4,
});

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

describe('AclReplicator', () => {
  it('copies policies and global tokens, deletes what the primary no longer has, and never touches local tokens', async () => {
    const state = {
      index: 7,
      policies: [{ ID: 'p1', Name: 'web', Description: '', Rules: 'service "web" { policy = "read" }', Hash: 'hp1', CreateIndex: 2, ModifyIndex: 2 }],
      // A token linking a policy that is not here yet is kept (AllowMissingLinks); a local one of the primary is not copied.
      tokens: [token('t1', false, 'p-later'), token('t2', true)],
    };
    const { get } = primary(state);
    const { catalog, replicator } = secondary(get);
    const stored = (id: string, local: boolean) => ({ ...token(id, local), Policies: [], Roles: [], ServiceIdentities: [], NodeIdentities: [] });
    catalog.apply(1, { Type: 'ACLTokenSet', Token: stored('mine', true) });
    catalog.apply(2, { Type: 'ACLTokenSet', Token: stored('stale', false) });
    expect(replicator.status()).toMatchObject({ Enabled: false, Running: false, LastSuccess: GO_ZERO_TIME });
    replicator.start();
    try {
      await until('the tokens replicated', () => replicator.status().ReplicatedTokenIndex === 7 && replicator.status().ReplicatedIndex === 7);
      expect([...catalog.acl.tokens.keys()].sort()).toEqual(['mine', 't1']);
      expect(catalog.acl.tokens.get('t1')).toMatchObject({ SecretID: 'secret-t1', Hash: 'h-t1', Local: false, Policies: [{ ID: 'p-later', Name: 'web' }] });
      expect(catalog.acl.policies.get('p1')).toMatchObject({ Name: 'web', Rules: 'service "web" { policy = "read" }', Hash: 'hp1' });
      const s = replicator.status();
      expect(s).toMatchObject({ Enabled: true, Running: true, SourceDatacenter: 'dc1', ReplicationType: 'tokens', ReplicatedRoleIndex: 7, LastErrorMessage: '' });
      expect(s.LastSuccess).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      // The primary deletes p1 and updates t1: both follow.
      state.policies = [];
      state.tokens = [{ ...token('t1', false, 'p-later'), Description: 'changed', Hash: 'h-t1-2', ModifyIndex: 9 }];
      state.index = 9;
      await until('the changes replicated', () => catalog.acl.tokens.get('t1')?.Description === 'changed' && !catalog.acl.policies.has('p1'));
      expect(catalog.acl.tokens.has('mine')).toBe(true);
    } finally {
      replicator.stop();
    }
    expect(replicator.status().Running).toBe(false);
  });

  it('replicates no tokens without token replication, and reports a token that cannot read secrets as an error', async () => {
    const state = { index: 5, policies: [], tokens: [token('t1', false)], redact: true };
    const { get, asked } = primary(state);
    const { catalog, replicator } = secondary(get, false);
    replicator.start();
    await until('a policy round', () => replicator.status().ReplicatedIndex === 5);
    replicator.stop();
    expect(replicator.status().ReplicationType).toBe('policies');
    expect(asked.some((p) => p.startsWith('/v1/acl/token'))).toBe(false);
    expect(catalog.acl.tokens.size).toBe(0);

    const withTokens = secondary(get, true);
    withTokens.replicator.start();
    await until('an error', () => withTokens.replicator.status().LastErrorMessage !== '');
    withTokens.replicator.stop();
    expect(withTokens.replicator.status().LastErrorMessage).toBe('failed to retrieve unredacted tokens - replication token in use does not grant acl:write');
    expect(withTokens.replicator.status().LastError).not.toBe(GO_ZERO_TIME);
    expect(withTokens.catalog.acl.tokens.size).toBe(0);
  });
});
