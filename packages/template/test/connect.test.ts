// The service-mesh functions against a real agent (its Connect CA is on in -dev): `caRoots` and
// `caLeaf` rendered to files that openssl checks, a CA rotation re-rendering both, `connect`
// listing web's sidecar proxies, and `sockaddr "GetPrivateIP"` agreeing with the agent's own
// evaluation of the same go-sockaddr template.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createClient } from '@proconsul/api/node';
import { evalSockaddrTemplate, LINUX_READERS, sockaddrEnv } from '@proconsul/sockaddr';
import { startAgent, tempDir, waitFor, type AgentProcess, type TempDir } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, Runner, type RunnerConfig, type TemplateConfig } from '../src/index.js';
import { createLogger } from '../src/runner/log.js';
import { api, registerService, startCli } from './helpers.js';

const IP = '127.0.96.1';
// What go-sockaddr finds on this machine; the agent advertises it as its WAN address.
const privateIP = evalSockaddrTemplate('{{ GetPrivateIP }}', sockaddrEnv({ interfaces: os.networkInterfaces(), ...LINUX_READERS }));
let agent: AgentProcess;
let dir: TempDir;

beforeAll(async () => {
  dir = tempDir('pct-connect-');
  const wan = privateIP ? ['-advertise-wan', '{{ GetPrivateIP }}'] : [];
  // As Consul's own tests: no 30 s spread of the leaf's re-signing after a rotation.
  agent = await startAgent({ ip: IP, extraArgs: ['-log-level', 'warn', '-hcl', 'connect { test_ca_leaf_root_change_spread = "1ms" }', ...wan] });
}, 40_000);
afterAll(async () => {
  await agent?.stop();
  dir?.remove();
});

function tmpl(name: string, contents: string): TemplateConfig {
  return { contents, destination: join(dir.path, name), commandTimeoutMs: 10_000, backup: false, errorOnMissingKey: false, createDestDirs: true, minInstances: 0 };
}

function runnerFor(templates: TemplateConfig[]): Runner {
  const config: RunnerConfig = { ...defaultConfig(), templates, blockWaitMs: 10_000 };
  return new Runner({ config, client: createClient({ address: agent.httpAddr }), log: createLogger('warn', () => {}) });
}

const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const pemCount = (s: string) => s.split('-----BEGIN CERTIFICATE-----').length - 1;
/** The active root's ID, as Consul reports it: its certificate's SHA-1 fingerprint. */
async function activeRootId(): Promise<string> {
  const roots = (await (await api(agent.url, 'GET', '/v1/agent/connect/ca/roots')).json()) as { ActiveRootID: string };
  return roots.ActiveRootID;
}
const fingerprint = (pemFile: string) => openssl('x509', '-in', pemFile, '-noout', '-fingerprint', '-sha1').trim().replace(/^.*=/, '').toLowerCase();

describe('Connect CA functions with a real agent', () => {
  it('caRoots and caLeaf render PEMs openssl verifies, and a CA rotation re-renders them', async () => {
    const roots = tmpl('roots.pem', '{{range caRoots}}{{.RootCertPEM}}{{end}}');
    const active = tmpl('active.pem', '{{range caRoots}}{{if .Active}}{{.RootCertPEM}}{{end}}{{end}}');
    const cert = tmpl('web.pem', '{{with caLeaf "web"}}{{.CertPEM}}{{end}}');
    const key = tmpl('web-key.pem', '{{with caLeaf "web"}}{{.PrivateKeyPEM}}{{end}}');
    const meta = tmpl('web.txt', '{{with caLeaf "web"}}{{.Service}} {{.ServiceURI}} {{.ValidBefore.Unix}}{{end}}');
    const runner = runnerFor([roots, active, cert, key, meta]);
    runner.start();
    try {
      await waitFor(() => read(roots.destination) && read(active.destination) && read(key.destination) && read(meta.destination), 'first render');
      expect(runner.dependencies()).toEqual(['connect.caleaf(web)', 'connect.caroots']);
      expect(pemCount(read(roots.destination))).toBe(1);
      // openssl takes the root, and it is the root the agent calls active.
      expect(openssl('x509', '-in', roots.destination, '-noout', '-subject')).toMatch(/^subject=/);
      expect(fingerprint(active.destination)).toBe(await activeRootId());
      // The leaf chains to the root, names web's SPIFFE ID, and the key is its key.
      expect(openssl('verify', '-CAfile', roots.destination, cert.destination).trim()).toBe(`${cert.destination}: OK`);
      expect(openssl('x509', '-in', cert.destination, '-noout', '-ext', 'subjectAltName')).toMatch(/URI:spiffe:\/\/[^/]+\.consul\/ns\/default\/dc\/dc1\/svc\/web/);
      const pubOfCert = openssl('x509', '-in', cert.destination, '-noout', '-pubkey');
      expect(openssl('pkey', '-in', key.destination, '-pubout')).toBe(pubOfCert);
      const [service, uri, validBefore] = read(meta.destination).split(' ');
      expect(service).toBe('web');
      expect(uri).toMatch(/^spiffe:\/\/.+\/svc\/web$/);
      expect(Number(validBefore)).toBeGreaterThan(Date.now() / 1000);

      // Rotate: a new key type makes a new root; the old one stays trusted, new leaves chain to the new one.
      const oldActive = read(active.destination);
      const oldCert = read(cert.destination);
      await api(agent.url, 'PUT', '/v1/connect/ca/configuration', { Provider: 'consul', Config: { PrivateKeyType: 'rsa', PrivateKeyBits: 2048 } });
      await waitFor(() => pemCount(read(roots.destination)) === 2, 'both roots rendered', 20_000);
      await waitFor(() => read(active.destination) !== oldActive, 'the new active root rendered', 20_000);
      await waitFor(() => read(cert.destination) !== oldCert, 'a new leaf rendered', 20_000);
      await waitFor(() => {
        // The key file is written by its own template: it catches up with the cert.
        return openssl('pkey', '-in', key.destination, '-pubout') === openssl('x509', '-in', cert.destination, '-noout', '-pubkey');
      }, 'the new key matches the new leaf', 20_000);
      expect(fingerprint(active.destination)).toBe(await activeRootId());
      expect(openssl('x509', '-in', active.destination, '-noout', '-text')).toMatch(/rsaEncryption/);
      expect(openssl('verify', '-CAfile', active.destination, cert.destination).trim()).toBe(`${cert.destination}: OK`);
      // It does not chain to the old root alone.
      const old = join(dir.path, 'old-root.pem');
      writeFileSync(old, oldActive);
      expect(spawnSync('openssl', ['verify', '-CAfile', old, cert.destination]).status).not.toBe(0);
    } finally {
      runner.stop();
    }
  }, 90_000);

  it('proconsul-template -once renders caRoots from the CLI', async () => {
    const out = join(dir.path, 'cli-roots.pem');
    const src = join(dir.path, 'cli-roots.ctmpl');
    writeFileSync(src, '{{range caRoots}}{{if .Active}}{{.RootCertPEM}}{{end}}{{end}}');
    const cli = startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${out}`, '-once']);
    expect(await cli.exited).toBe(0);
    expect(fingerprint(out)).toBe(await activeRootId());
  }, 30_000);
});

describe('connect with a real agent', () => {
  it('lists the sidecar proxies of web, filtered by health as `service` is', async () => {
    // web-1's proxy has a passing TTL check; web-2's has the default checks (its TCP check fails: nothing listens).
    await api(agent.url, 'PUT', '/v1/agent/service/register', {
      Name: 'web', ID: 'web-1', Address: '127.0.96.11', Port: 8080, Connect: { SidecarService: { Check: { TTL: '10m', Status: 'passing' } } },
    });
    await api(agent.url, 'PUT', '/v1/agent/service/register', { Name: 'web', ID: 'web-2', Address: '127.0.96.12', Port: 8080, Connect: { SidecarService: {} } });
    await registerService(agent.url, { Name: 'api', ID: 'api-1', Address: '127.0.96.13', Port: 9090 });
    const healthy = tmpl('connect.txt', '{{range connect "web"}}{{.ID}} {{.Name}} {{.Address}}:{{.Port}} {{.Status}}\n{{end}}');
    const any = tmpl('connect-any.txt', '{{range connect "web|any"}}{{.ID}} {{.Status}}\n{{end}}');
    const none = tmpl('connect-none.txt', 'api:{{range connect "api"}}{{.ID}}{{end}}.');
    const runner = runnerFor([healthy, any, none]);
    runner.start();
    try {
      await waitFor(() => read(healthy.destination) === 'web-1-sidecar-proxy web-sidecar-proxy 127.0.96.11:21000 passing\n', 'passing proxies');
      await waitFor(() => read(any.destination) === 'web-1-sidecar-proxy passing\nweb-2-sidecar-proxy critical\n', 'every proxy');
      // A service without a proxy or native Connect has no Connect instances.
      await waitFor(() => read(none.destination) === 'api:.', 'api has none');
      expect(runner.dependencies()).toEqual(['health.connect(api|passing)', 'health.connect(web|any)', 'health.connect(web|passing)']);
      // The proxy's check turning critical drops it from the default (passing) list.
      await api(agent.url, 'PUT', '/v1/agent/check/fail/service:web-1-sidecar-proxy');
      await waitFor(() => read(healthy.destination) === '', 'the failing proxy left the list');
    } finally {
      runner.stop();
    }
  }, 60_000);
});

describe('sockaddr with a real agent', () => {
  it.skipIf(!privateIP)('gives what the agent gives for {{ GetPrivateIP }}', async () => {
    // The agent evaluated -advertise-wan '{{ GetPrivateIP }}' into its node's "wan" tagged address.
    const t = tmpl('sockaddr.txt', '{{ sockaddr "GetPrivateIP" }}|{{ with node }}{{ index .Node.TaggedAddresses "wan" }}{{ end }}');
    const runner = runnerFor([t]);
    runner.start();
    try {
      await waitFor(() => read(t.destination), 'rendered');
      expect(read(t.destination)).toBe(`${privateIP}|${privateIP}`);
    } finally {
      runner.stop();
    }
  }, 30_000);
});
