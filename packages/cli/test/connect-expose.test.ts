/**
 * `proconsul connect expose` against a real -dev agent (127.0.107.20): the ingress-gateway
 * config entry made, extended and updated through the config entries API with check-and-set,
 * the intention from the gateway, Consul's output lines, its refusal of a listener with another
 * protocol and its flag errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { runCli, type CliResult } from './run-cli.js';

let agent: AgentProcess;
const expose = (args: string[]): Promise<CliResult> => runCli(['connect', 'expose', ...args], { addr: agent.httpAddr });

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${agent.url}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  return { status: r.status, json: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
}
const gateway = async () => (await api('GET', '/v1/config/ingress-gateway/ig')).json;
const intention = async (dst: string) => (await api('GET', `/v1/connect/intentions/exact?source=ig&destination=${dst}`)).json;

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.107.20' });
}, 40_000);
afterAll(async () => {
  await agent?.stop();
});

describe('proconsul connect expose', () => {
  it('makes the gateway entry and the intention when neither exists', async () => {
    expect((await api('GET', '/v1/config/ingress-gateway/ig')).status).toBe(404);
    expect(await expose(['-service=web', '-ingress-gateway=ig', '-port=8080'])).toEqual({
      code: 0,
      stderr: '',
      stdout: 'Successfully updated config entry for ingress service "ig"\nSuccessfully set up intention for "ig" -> "web"\n',
    });
    const e = await gateway();
    expect(e).toMatchObject({ Kind: 'ingress-gateway', Name: 'ig' });
    expect(e.Listeners).toHaveLength(1);
    expect(e.Listeners[0]).toMatchObject({ Port: 8080, Protocol: 'tcp' });
    expect(e.Listeners[0].Services.map((s: { Name: string }) => s.Name)).toEqual(['web']);
    expect(await intention('web')).toMatchObject({ SourceName: 'ig', DestinationName: 'web', Action: 'allow', SourceType: 'consul' });
  });

  it('updates a service already on the listener; the allow intention is kept', async () => {
    const before = await gateway();
    expect(await expose(['-service', 'web', '-ingress-gateway', 'ig', '-port', '8080'])).toEqual({
      code: 0,
      stderr: '',
      stdout: 'Updating service definition for "web" on listener with port 8080\nSuccessfully updated config entry for ingress service "ig"\nIntention already exists for "ig" -> "web"\n',
    });
    const e = await gateway();
    expect(e.ModifyIndex).toBeGreaterThan(before.ModifyIndex);
    expect(e.Listeners[0].Services.map((s: { Name: string }) => s.Name)).toEqual(['web']);
  });

  it('makes a new listener for another port with the -host names, and adds services to it', async () => {
    for (const name of ['api', 'api2']) expect((await api('PUT', '/v1/config', { Kind: 'service-defaults', Name: name, Protocol: 'http' })).status).toBe(200);
    const r = await expose(['-service=api', '-ingress-gateway=ig', '-port=9090', '-protocol=http', '-host=api.example.com', '-host=api.internal']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    let e = await gateway();
    expect(e.Listeners.map((l: { Port: number; Protocol: string }) => [l.Port, l.Protocol])).toEqual([[8080, 'tcp'], [9090, 'http']]);
    expect(e.Listeners[1].Services).toEqual([expect.objectContaining({ Name: 'api', Hosts: ['api.example.com', 'api.internal'] })]);
    expect((await expose(['-service=api2', '-ingress-gateway=ig', '-port=9090', '-protocol=http'])).code).toBe(0);
    e = await gateway();
    expect(e.Listeners[1].Services.map((s: { Name: string }) => s.Name)).toEqual(['api', 'api2']);
    // A TCP listener takes one service: the server's refusal is the command's error.
    const tcp = await expose(['-service=db', '-ingress-gateway=ig', '-port=8080']);
    expect(tcp).toEqual({
      code: 1,
      stdout: '',
      stderr: "Error writing ingress config entry: Unexpected response code: 400 (Multiple services per listener are only supported for L7 protocols, 'http', 'grpc' and 'http2' (listener on port 8080))\n",
    });
  });

  it('turns a deny intention from the gateway into an allow', async () => {
    expect((await api('PUT', '/v1/connect/intentions/exact?source=ig&destination=cache', { SourceType: 'consul', Action: 'deny' })).status).toBe(200);
    const r = await expose(['-service=cache', '-ingress-gateway=ig', '-port=8081']);
    expect(r.stdout).toBe('Successfully updated config entry for ingress service "ig"\nSuccessfully set up intention for "ig" -> "cache"\n');
    expect((await intention('cache')).Action).toBe('allow');
  });

  it("refuses a listener's other protocol and missing or bad flags, with one line and exit 1, writing nothing", async () => {
    const before = await gateway();
    expect(await expose(['-service=other', '-ingress-gateway=ig', '-port=8080', '-protocol=http'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Listener on port 8080 already configured with conflicting protocol "tcp"\n',
    });
    const fail = (stderr: string) => ({ code: 1, stdout: '', stderr: `${stderr}\n` });
    expect(await expose(['-ingress-gateway=ig', '-port=1'])).toEqual(fail('A service name must be given via the -service flag.'));
    expect(await expose(['-service=a/b/c/d', '-ingress-gateway=ig', '-port=1'])).toEqual(fail("Invalid service name: input can contain at most two '/'"));
    expect(await expose(['-service=web', '-port=1'])).toEqual(fail('An ingress gateway service must be given via the -ingress-gateway flag.'));
    expect(await expose(['-service=web', '-ingress-gateway=a/b/c/d', '-port=1'])).toEqual(fail("Invalid ingress gateway name: input can contain at most two '/'"));
    expect(await expose(['-service=web', '-ingress-gateway=ig'])).toEqual(fail('A port must be provided via the -port flag.'));
    expect((await gateway()).ModifyIndex).toBe(before.ModifyIndex);
  });

  it('answers the server\'s refusal of the entry as Consul does', async () => {
    // Hosts are for HTTP listeners only: the server refuses the entry and the command says so.
    const r = await expose(['-service=web', '-ingress-gateway=ig2', '-port=7000', '-host=web.example.com']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Error writing ingress config entry: Unexpected response code: \d{3} \(.+\)\n$/);
    expect((await api('GET', '/v1/config/ingress-gateway/ig2')).status).toBe(404);
  });
});
