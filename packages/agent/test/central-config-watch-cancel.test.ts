// A proxy deregistered from a client agent (127.0.127.61) ends its central-config watch on the
// server (127.0.127.60) at once: the blocking ConfigEntry.ResolveServiceConfig call is cancelled
// (RPC.Cancel) and the server's handler returns, seen in its resolve_service_config timer count,
// instead of holding the call up to its 5-minute wait (Consul: the serviceConfigWatch's cancel
// on removal, agent/service_manager.go).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, sleep, startAgentProcess, workDir, type AgentProcess } from './helpers.js';

const SERVER = '127.0.127.60';
const CLIENT = '127.0.127.61';
const dir = workDir('central-config-watch-cancel-');
const started: AgentProcess[] = [];
let server: AgentProcess;
let client: AgentProcess;

async function agent(ip: string, extra: string[], waitForLeader: boolean): Promise<AgentProcess> {
  const a = await startAgentProcess(['-bind', ip, '-client', ip, '-node', `n-${ip}`, '-dns-port', '-1', '-log-level', 'warn', '-data-dir', join(dir.path, ip), ...extra], `${ip}:8500`, { waitForLeader });
  started.push(a);
  return a;
}

/** How many ResolveServiceConfig calls the server has finished (its timer's count). */
async function resolvedCalls(): Promise<number> {
  const text = (await http(server.base, 'GET', '/v1/agent/metrics?format=prometheus')).text;
  const m = /^consul_config_entry_resolve_service_config_count\S* (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

beforeAll(async () => {
  server = await agent(SERVER, ['-server', '-bootstrap'], true);
  client = await agent(CLIENT, ['-retry-join', SERVER, '-retry-interval', '1s'], true);
}, 60_000);

afterAll(async () => {
  for (const a of started) await a.kill9();
  dir.remove();
});

describe('the central-config watch of a deregistered proxy', () => {
  it('ends on the server at once', async () => {
    const reg = { Name: 'web-proxy', Kind: 'connect-proxy', Port: 21000, Proxy: { DestinationServiceName: 'web' } };
    const r = await http(client.base, 'PUT', '/v1/agent/service/register', JSON.stringify(reg));
    expect(r.status, r.text).toBe(200);
    // The registration's call and the watch's first (non-blocking) one finish; the next one blocks.
    const settled = await eventually(async () => {
      const n = await resolvedCalls();
      await sleep(1_000);
      return n >= 2 && (await resolvedCalls()) === n ? n : undefined;
    }, 'the watch to block', 30, 100);
    const t0 = Date.now();
    expect((await http(client.base, 'PUT', '/v1/agent/service/deregister/web-proxy')).status).toBe(200);
    await eventually(async () => ((await resolvedCalls()) > settled ? true : undefined), 'the server to see the watch end', 100, 100);
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 60_000);
});
