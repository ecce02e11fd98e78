// The hand-written half of docs/reference/http-api.md's endpoint table: how an endpoint differs
// from Consul's (keys are the agent's route URLs; gen-reference.mjs refuses a key that is no
// longer a route). An endpoint without a note answers as Consul's does.
export const HTTP_NOTES = {
  '/v1/agent/members': '`?wan=1` on a server lists only itself (no WAN pool yet), on a client `null`; `?segment=` only `_all` or the default',
  '/v1/agent/join/*': '`?wan=1` answers 500 (no WAN pool yet)',
  '/v1/agent/metrics': '`?format=prometheus` works on a default agent (the default `prometheus_retention_time` is non-zero); extra gauges `consul.dns.malformed_packets`, `consul.http.read_memo.*`',
  '/v1/agent/monitor': 'a reader more than 512 KiB behind loses lines (counted in a warning line)',
  '/v1/agent/force-leave/*': '`?wan` has no WAN pool to act on',
  '/v1/catalog/datacenters': 'only the local datacenter (no WAN federation yet)',
  '/v1/catalog/register': 'another `Datacenter` in the body: 500 `No path to datacenter`',
  '/v1/catalog/nodes': '`?near` is not applied (no network coordinates); `?peer=` answers `[]`',
  '/v1/catalog/service/:service': '`?near` is not applied; `?peer=` answers `[]`',
  '/v1/health/service/:service': '`?near` is not applied; `?peer=` answers `[]`; `?filter` cannot reach into `Checks` lists',
  '/v1/health/state/*': '`?near` is not applied',
  '/v1/operator/keyring': 'LAN pool only; a malformed key is 400 `Invalid key: ...` (Consul: 500)',
  '/v1/snapshot': 'the archive is laid out as Consul\'s (`meta.json`, `state.bin`, `SHA256SUMS`) but `state.bin` is Proconsul\'s own state: archives move between Proconsul servers only',
  '/v1/txn': 'KV and session operations; `Node`, `Service` and `Check` operations are not supported yet',
  '/v1/acl/bootstrap': 'ACLs are enforced on server agents; a client agent refuses `acl.enabled` at start',
};

/** Consul endpoint groups this agent does not serve (they answer 404 `Invalid URL path`). */
export const NOT_IMPLEMENTED = [
  '`/v1/query` (prepared queries)',
  '`/v1/coordinate/*` (network coordinates)',
  '`/v1/config/*` (config entries), `/v1/discovery-chain/*`, `/v1/exported-services`',
  '`/v1/connect/*`, `/v1/agent/connect/*`, `/v1/catalog/connect/*`, `/v1/health/connect/*`, `/v1/health/ingress/*`, `/v1/catalog/gateway-services/*` (service mesh)',
  '`/v1/acl/auth-method*`, `/v1/acl/binding-rule*`, `/v1/acl/login`, `/v1/acl/logout`, `/v1/acl/replication`, `/v1/acl/templated-polic*`',
  '`/v1/agent/host`, `/v1/agent/version`',
  '`/v1/internal/*` (the endpoints of Consul\'s own UI; Proconsul\'s UI uses the public API)',
  '`/v1/peering/*`, `/v1/operator/area/*`, `/v1/namespace*`, `/v1/partition*` (peering and Enterprise features)',
];
