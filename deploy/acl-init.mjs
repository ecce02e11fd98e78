// One-shot job of the compose stack (after the servers have a leader): creates the policies and
// tokens the stack's parts use, with the management token generated at the first start, and
// prints that token once. Idempotent: what exists is left alone, so later starts do nothing.
//
//   node acl-init.mjs            (env: CONSUL_HTTP_ADDR; files under /consul/...)
//
// The secrets were written by the `secrets` job: /consul/management/token (management),
// /consul/management/server-tokens.json (the servers' agent token),
// /consul/config/client-tokens.json (the client agent's agent and dns tokens),
// /consul/registrator/token and /consul/lb/token.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const addr = `http://${process.env.CONSUL_HTTP_ADDR ?? 'server-1:8500'}`;
const management = readFileSync('/consul/management/token', 'utf8').trim();
const tokensIn = (path) => JSON.parse(readFileSync(path, 'utf8')).acl.tokens;
const clientTokens = tokensIn('/consul/config/client-tokens.json');
const PRINTED = '/consul/management/printed';

/** What each part may do, and no more (Consul's rule syntax). */
const parts = [
  // A server agent writes its own node info and coordinate, as any agent (Consul's agent token).
  { name: 'server-agent', secret: tokensIn('/consul/management/server-tokens.json').agent, description: 'server-1..3: their node info and coordinates',
    rules: 'node_prefix "server-" { policy = "write" }\nservice_prefix "" { policy = "read" }' },
  { name: 'client-agent', secret: clientTokens.agent, description: 'client-1: its node info and anti-entropy',
    rules: 'node "client-1" { policy = "write" }\nservice_prefix "" { policy = "read" }' },
  { name: 'dns', secret: clientTokens.dns, description: 'client-1: DNS answers',
    rules: 'service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }\nquery_prefix "" { policy = "read" }' },
  { name: 'registrator', secret: readFileSync('/consul/registrator/token', 'utf8').trim(), description: 'registrator: registers containers on client-1',
    rules: 'service_prefix "" { policy = "write" }\nnode_prefix "" { policy = "read" }' },
  { name: 'lb', secret: readFileSync('/consul/lb/token', 'utf8').trim(), description: 'lb: reads the instances of web',
    rules: 'service "web" { policy = "read" }\nnode_prefix "" { policy = "read" }' },
];

/** Bound on the whole job's waiting for the servers (elections, restarts). */
const DEADLINE = Date.now() + 120_000;

/**
 * One request; while the servers cannot answer (no connection, 5xx such as "No cluster
 * leader" during an election) it is retried every second, up to DEADLINE.
 */
async function call(method, path, body, token = management) {
  for (;;) {
    let r;
    try {
      const res = await fetch(addr + path, { method, headers: { 'X-Consul-Token': token }, ...(body ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(10_000) });
      r = { status: res.status, text: await res.text() };
      if (res.status < 500) return r;
    } catch (err) {
      r = { status: 0, text: err.message };
    }
    if (Date.now() > DEADLINE) return r;
    await new Promise((res) => setTimeout(res, 1_000));
  }
}

async function main() {
  // The management token is in the state once the leader has created it (first ACL request).
  for (;;) {
    const r = await call('GET', '/v1/acl/token/self');
    if (r.status === 200) break;
    if (Date.now() > DEADLINE) throw new Error(`the management token is not accepted: ${r.status} ${r.text}`);
    await new Promise((res) => setTimeout(res, 1_000));
  }
  for (const p of parts) {
    if ((await call('GET', `/v1/acl/policy/name/${p.name}`)).status !== 200) {
      const r = await call('PUT', '/v1/acl/policy', { Name: p.name, Description: p.description, Rules: p.rules });
      if (r.status !== 200) throw new Error(`policy ${p.name}: ${r.status} ${r.text}`);
    }
    if ((await call('GET', '/v1/acl/token/self', undefined, p.secret)).status !== 200) {
      const r = await call('PUT', '/v1/acl/token', { SecretID: p.secret, Description: p.description, Policies: [{ Name: p.name }] });
      if (r.status !== 200) throw new Error(`token ${p.name}: ${r.status} ${r.text}`);
    }
  }
  if (!existsSync(PRINTED)) {
    console.log(`==> ACL management token (printed once; kept in the acl-management volume): ${management}`);
    writeFileSync(PRINTED, '');
  }
  console.log(`ACL policies and tokens in place: ${parts.map((p) => p.name).join(', ')}`);
}

main().catch((err) => {
  console.error(`acl-init: ${err.message}`);
  process.exit(1);
});
