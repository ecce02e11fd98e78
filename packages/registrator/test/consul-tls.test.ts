// consul-tls:// against a real agent's HTTPS listener with verify_incoming: the registry
// verifies the agent with CONSUL_CACERT and presents CONSUL_TLSCERT / CONSUL_TLSKEY
// (gliderlabs/registrator's variables); without the client certificate the agent refuses it.
// Certificates come from `proconsul tls`.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startAgent, tempDir, type AgentProcess, type TempDir } from '@proconsul/testing';
import { ConsulRegistry } from '../src/registry.js';

const IP = '127.0.71.50';
let dir: TempDir;
let agent: AgentProcess;

function tls(...args: string[]): void {
  const r = spawnSync(process.execPath, [join(repoRoot, 'packages/cli/bin/proconsul.js'), 'tls', ...args], { cwd: dir.path, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}

beforeAll(async () => {
  dir = tempDir('proconsul-registrator-tls-');
  tls('ca', 'create');
  tls('cert', 'create', '-server', '-additional-ipaddress', IP);
  tls('cert', 'create', '-client');
  const f = (n: string): string => join(dir.path, n);
  writeFileSync(f('tls.json'), JSON.stringify({ tls: { https: { ca_file: f('consul-agent-ca.pem'), cert_file: f('dc1-server-consul-0.pem'), key_file: f('dc1-server-consul-0-key.pem'), verify_incoming: true } } }));
  agent = await startAgent({ ip: IP, extraArgs: ['-https-port', '8501', '-config-file', f('tls.json'), '-log-level', 'warn'] });
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  dir?.remove();
});

describe('consul-tls://', () => {
  it('registers through HTTPS with the CA and the client certificate from the environment', async () => {
    const f = (n: string): string => join(dir.path, n);
    const env = { CONSUL_CACERT: f('consul-agent-ca.pem'), CONSUL_TLSCERT: f('dc1-client-consul-0.pem'), CONSUL_TLSKEY: f('dc1-client-consul-0-key.pem') };
    const registry = new ConsulRegistry(`consul-tls://${IP}:8501`, undefined, env);
    await registry.ping();
    await registry.register({ ID: 'host:web:80', Name: 'web', Address: IP, Port: 80, Tags: [], Meta: {}, Attrs: {}, origin: { containerId: 'c', containerName: 'web', containerHostname: 'c', exposedPort: '80', portType: 'tcp' } });
    expect((await registry.services()).find((s) => s.ID === 'host:web:80')?.Name).toBe('web');
    // The same over plain HTTP shows it is the agent's own state.
    const plain = (await (await fetch(`${agent.url}/v1/agent/services`)).json()) as Record<string, unknown>;
    expect(Object.keys(plain)).toContain('host:web:80');
  });

  it('is refused without the client certificate, and without the CA', async () => {
    const f = (n: string): string => join(dir.path, n);
    await expect(new ConsulRegistry(`consul-tls://${IP}:8501`, undefined, { CONSUL_CACERT: f('consul-agent-ca.pem') }).ping()).rejects.toThrow();
    await expect(new ConsulRegistry(`consul-tls://${IP}:8501`, undefined, { CONSUL_TLSCERT: f('dc1-client-consul-0.pem'), CONSUL_TLSKEY: f('dc1-client-consul-0-key.pem') }).ping()).rejects.toThrow(/certificate/);
  });
});
