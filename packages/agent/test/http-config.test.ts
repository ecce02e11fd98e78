// The agent config's http_config on a real agent (127.0.66.41): response_headers on every answer
// (API, errors, UI), block_endpoints answered 403, and allow_write_http_from letting writes in
// only from its networks (requests sent from 127.0.66.42 and .43 as source addresses); Consul's
// printable path check, and an agent without it (127.0.66.45).
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.66.41';
const dir = tempDir('proconsul-http-config-');
let agent: AgentProcess;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request from `from` (a source address of the loopback). */
function send(method: string, path: string, from: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: IP, port: 8500, method, path, localAddress: from }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  const cfg = join(dir.path, 'http.hcl');
  writeFileSync(
    cfg,
    `http_config {
  response_headers {
    "Access-Control-Allow-Origin" = "*"
    "X-Team" = "core"
  }
  block_endpoints = ["/v1/acl", "/v1/agent/self"]
  allow_write_http_from = ["127.0.66.43/32", "10.0.0.0/8"]
}
`,
  );
  agent = await startAgentProcess(['-dev', '-client', IP, '-bind', IP, '-dns-port', '-1', '-config-file', cfg], `${IP}:8500`);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  dir.remove();
});

describe('http_config', () => {
  it('sets response_headers on answers, errors, and the UI; a route keeps its own headers', async () => {
    for (const path of ['/v1/status/leader', '/v1/kv/missing', '/v1/nope', '/ui/']) {
      const r = await send('GET', path, '127.0.66.42');
      expect(r.headers['access-control-allow-origin'], path).toBe('*');
      expect(r.headers['x-team'], path).toBe('core');
    }
    const kv = await send('GET', '/v1/kv/missing', '127.0.66.42');
    expect(kv.status).toBe(404);
    expect(kv.headers['x-consul-index']).toBeDefined();
  });

  it('answers 403 under block_endpoints, with Consul\'s text', async () => {
    for (const path of ['/v1/acl/policies', '/v1/agent/self', '/v1/agent/self?pretty']) {
      const r = await send('GET', path, '127.0.66.43');
      expect([r.status, r.body]).toEqual([403, 'Endpoint is blocked by agent configuration']);
      expect(r.headers['x-team']).toBe('core');
    }
    expect((await send('GET', '/v1/agent/members', '127.0.66.43')).status).toBe(200);
  });

  it('takes writes only from allow_write_http_from; reads from anywhere', async () => {
    const denied = await send('PUT', '/v1/kv/w', '127.0.66.42', 'x');
    expect([denied.status, denied.body]).toEqual([403, 'Access is restricted']);
    expect((await send('GET', '/v1/kv/w', '127.0.66.42')).status).toBe(404); // nothing was written
    const allowed = await send('PUT', '/v1/kv/w', '127.0.66.43', 'x');
    expect([allowed.status, allowed.body]).toEqual([200, 'true']);
    expect((await send('GET', '/v1/kv/w?raw', '127.0.66.42')).body).toBe('x');
    expect((await send('DELETE', '/v1/kv/w', '127.0.66.42')).status).toBe(403);
  });

  it('answers 400 to a path with an unprintable character, unless disable_http_unprintable_char_filter', async () => {
    const r = await send('PUT', '/v1/kv/a%0Ab', '127.0.66.43', 'x');
    expect([r.status, r.body]).toEqual([400, '']);
    expect((await send('PUT', '/v1/kv/caf%C3%A9', '127.0.66.43', 'x')).status).toBe(200);
    const lenient = await startAgentProcess(
      ['-dev', '-client', '127.0.66.45', '-bind', '127.0.66.45', '-dns-port', '-1', '-hcl', 'disable_http_unprintable_char_filter = true'],
      '127.0.66.45:8500',
    );
    try {
      expect((await fetch(`${lenient.base}/v1/kv/a%0Ab`, { method: 'PUT', body: 'x' })).status).toBe(200);
      expect(await (await fetch(`${lenient.base}/v1/kv/a%0Ab?raw`)).text()).toBe('x');
    } finally {
      await lenient.stop();
    }
  });

  it('refuses a start with a bad CIDR, in Consul\'s words', () => {
    const cfg = join(dir.path, 'bad.hcl');
    writeFileSync(cfg, 'http_config { allow_write_http_from = ["10.0.0.1/40"] }\n');
    const r = spawnSync(process.execPath, [RUN_JS, '-dev', '-client', '127.0.66.44', '-bind', '127.0.66.44', '-dns-port', '-1', '-config-file', cfg], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain('allow_write_http_from: invalid cidr: 10.0.0.1/40');
  });
});
