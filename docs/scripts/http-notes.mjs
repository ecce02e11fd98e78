// The hand-written half of docs/reference/http-api.md's endpoint table: how an endpoint differs
// from Consul's (keys are the agent's route URLs; gen-reference.mjs refuses a key that is no
// longer a route). An endpoint without a note answers as Consul's does.
const CACHED_BG = '`?cached`: the agent cache, background refresh (`X-Cache: HIT|MISS`, `Age`; a blocking `?cached&index=` waits on the cache; Cache-Control is ignored), as Consul';
const CACHED_SIMPLE = '`?cached`: the agent cache, simple (`X-Cache`, `Age`; Cache-Control `max-age`, `must-revalidate`, `stale-if-error`), as Consul';

export const HTTP_NOTES = {
  '/v1/agent/metrics': '`?format=prometheus` works on a default agent (the default `prometheus_retention_time` is non-zero); extra gauges `consul.dns.malformed_packets`, `consul.http.read_memo.*`',
  '/v1/agent/host': '`Errors` holds the errors\' texts (Consul encodes Go error values, mostly as `{}`); an unreadable `/proc/meminfo` is an error with `Memory` null (gopsutil reports zeros); `/usr/bin/lsb_release` is not run when `/etc/lsb-release` is missing',
  '/v1/agent/monitor': 'a reader more than 512 KiB behind loses lines (counted in a warning line)',
  '/v1/agent/metrics/stream': 'a reader more than 512 KiB behind loses summaries',
  '/v1/catalog/nodes': '`?peer=` answers `[]`',
  '/v1/catalog/node/:node': '`?peer=<name>`: a node that cluster peer exports instances on, with those instances (`PeerName` set), `null` when it exports none there ([peering](../peering.md))',
  '/v1/catalog/service/:service': `\`?peer=<name>\`: what that cluster peer exports here ([peering](../peering.md)), never mixed with local rows; an unknown peer answers \`[]\`; ${CACHED_BG}`,
  '/v1/catalog/connect/:service': CACHED_BG,
  '/v1/catalog/services': `\`?peer=<name>\`: what that cluster peer exports here ([peering](../peering.md)), never mixed with local rows; an unknown peer answers \`[]\`; ${CACHED_BG}`,
  '/v1/catalog/datacenters': CACHED_SIMPLE,
  '/v1/health/service/:service': `\`?peer=<name>\`: what that cluster peer exports here ([peering](../peering.md)), never mixed with local rows; an unknown peer answers \`[]\`; \`?sameness-group=\` is 400 \`sameness groups are not supported in consul CE\` (Consul CE: 500 with that text; /v1/health/connect and /v1/health/ingress too), and 400 \`peer-name and sameness-group are mutually exclusive\` beside \`?peer=\`; ${CACHED_BG}`,
  '/v1/health/connect/:service': CACHED_BG,
  '/v1/connect/intentions/match': CACHED_BG,
  '/v1/operator/keyring': 'a malformed key is 400 `Invalid key: ...` (Consul: 500)',
  '/v1/session/create': 'a `TTL` Consul refuses (`Session TTL \'x\' invalid: ...`, `Invalid Session TTL \'<ns>\', must be between [10s=24h0m0s]`) is 400 with Consul\'s text (Consul: 500)',
  '/v1/snapshot': 'the archive is laid out as Consul\'s (`meta.json`, `state.bin`, `SHA256SUMS`) but `state.bin` is Proconsul\'s own state: archives move between Proconsul servers only',
  '/v1/txn': '`Node`, `Service` and `Check` operations are checked as `/v1/catalog/register` is here (a check `Status` must be passing, warning or critical; an `ID` another node holds is refused)',
  '/v1/query': 'validation errors (`Invalid prepared query: ...`, `name \'x\' aliases an existing query name`, `failed compiling template: ...`, `ID must be empty when creating a new prepared query`) are 400 with Consul\'s text (Consul: 500)',
  '/v1/query/*': `validation errors and \`Bad limit: ...\` on execute are 400 with Consul's text (Consul: 500); \`PUT\`/\`DELETE\` of a missing query is 404 \`Cannot modify non-existent prepared query: '<id>'\` (Consul: 500); execute: ${CACHED_SIMPLE}`,
  '/v1/config': 'kinds stored: `service-defaults`, `proxy-defaults`, `service-intentions`, `mesh`, `service-splitter`, `service-resolver`, `service-router`, `ingress-gateway`, `terminating-gateway`, `exported-services`, `api-gateway`, `http-route`, `tcp-route`, `inline-certificate`, `jwt-provider` (no controller: no `bound-api-gateway`, `Status` stored as written); `bound-api-gateway` is 400 `config entry kind "bound-api-gateway" is not supported by this agent yet (...)`; `sameness-group` is decoded, then 400 `sameness-groups are an enterprise-only feature` (Consul CE: 500 with that text); Normalize/Validate errors, the discovery-chain checks (`discovery chain ... does not permit advanced routing or splitting behavior`, `service "web" does not have a subset named "v2"`, ...) and a bad `?cas` are 400 with Consul\'s text (Consul: 500); entries carry no `Hash`',
  '/v1/connect/intentions': 'the legacy create\'s validation errors (`SourceName: wildcard character ...`, `defines "web" more than once`, `cannot use legacy intention API to edit intentions ...`) are 400 with Consul\'s text (Consul: 500)',
  '/v1/connect/intentions/exact': 'validation errors of the upsert (`Sources[0].Action must be set to \'allow\' or \'deny\'`, `Meta must not be specified`) are 400 with Consul\'s text (Consul: 500)',
  '/v1/connect/intentions/:id': '`PUT`/`DELETE` of a missing intention is 404 `Cannot modify non-existent intention: \'<id>\'` / `Cannot delete ...` (Consul: 500); validation errors are 400 (Consul: 500)',
  '/v1/agent/connect/authorize': 'the intention match comes from the agent cache as in Consul (`X-Cache: HIT` after the first call for a target, kept fresh by a blocking query)',
  '/v1/agent/connect/ca/roots': 'always from the agent cache as in Consul (`X-Cache: HIT` with `Age` after the first read, kept fresh by a blocking query to the leader; `?index=` waits on the cache)',
  '/v1/agent/connect/ca/leaf/*': 'from the agent\'s leaf manager, with Consul\'s `X-Cache`/`Age` (a kept certificate is a hit aged since it was signed; a new one, or a blocking read that waited, is a miss); no rate limit on renewals',
  '/v1/config/*': 'an unknown kind is 400 `invalid config entry kind: <kind>` (Consul: 500); `GET /v1/config/` lists every kind',
  '/v1/discovery-chain/*': 'compiled for routers, splitters, subsets, redirects and failover (not namespaces, partitions, peers, sameness groups); `CustomizationHash` is not hashstructure\'s value',
  '/v1/coordinate/update': 'a `Vec` of another dimensionality is 400 `incompatible coordinate`, a missing `Coord` 400 `invalid coordinate` (Consul: 500)',
  '/v1/acl/templated-policy/preview/*': 'the synthetic policy\'s `Hash` is a SHA-256 of its fields (Consul\'s is BLAKE2b-256); `ID`, `Name`, `Description` and `Rules` are Consul\'s',
  '/v1/acl/token': 'a local token in a secondary datacenter without token replication is 400 `Local tokens are disabled` (Consul: 500)',
  '/v1/acl/auth-method': 'validation errors (`Invalid Auth Method: ...`, `MaxTokenTTL ... cannot be more than ...`) are 400 with Consul\'s text (Consul: 500); type `aws-iam` is refused (not built); in a secondary datacenter without token replication 400 `Token replication is required for auth methods to function` (Consul: 500)',
  '/v1/acl/binding-rule': 'validation errors (`Invalid Binding Rule: ...`, `cannot find auth method with name "x"`) are 400 with Consul\'s text (Consul: 500)',
  '/v1/acl/login': 'a bearer token the auth method refuses is 400 with Consul\'s text (Consul: 500)',
  '/v1/catalog/gateway-services/*': 'a mapping\'s `CreateIndex`/`ModifyIndex` is its entry\'s (for a service `*` brought in later, that registration\'s), as Consul\'s table holds them after a snapshot restore; no Envoy runs the gateways',
  '/v1/health/ingress/:service': 'the ingress gateways\' instances; no Envoy runs them, so nothing listens on their ports unless you run something there',
  '/v1/peering/token': 'answered by the leader; the token\'s `ServerAddresses` are the servers\' RPC addresses (port 8300, not Consul\'s gRPC port) and its `CA` is null; validation errors (`<name> is not a valid peer name: ...`, `meta tags failed validation: ...`, `cannot create peering with name: ...`) are 400 with Consul\'s text (Consul: 500)',
  '/v1/peering/establish': 'the clusters talk over the server RPC port (TLS when the servers use it), not gRPC, so a Proconsul cluster peers with Proconsul clusters only; token and validation errors are 400 with Consul\'s text (Consul: 500); a peer that cannot be reached is 500 `failed to exchange peering secret with "<addr>": ...`',
  '/v1/peering/:name': '`StreamStatus` is the leader\'s view of the stream; no blocking queries (as Consul)',
  '/v1/peerings': '`StreamStatus` is the leader\'s view of the stream; a blocking query over the peerings (stream status changes do not move the index, as Consul)',
  '/v1/exported-services': 'CE\'s answer: `Consumers.Peers` only (no partitions); `?filter` is neither parsed nor applied, a malformed one included (as Consul); a blocking query; `mesh:read` (else `operator:read`)',
  '/v1/internal/service-virtual-ip': 'PUT only, `{Service, ManualVIPs}` -> `{Found, UnassignedFrom}` (manual virtual IPs, as consul-k8s sets them; needs `service:write` on the service); a missing service name or an address that is not IPv4 is 400; the addresses are stored but no transparent proxy uses them ([virtual IPs](connect.md#virtual-ips))',
  '/v1/internal/prepared-query/execute-remote': 'not a Consul endpoint: a server runs another datacenter\'s prepared-query failover here (`{Query, Limit, Connect}`; Consul uses the RPC `PreparedQuery.ExecuteRemote`)',
};

/** Consul endpoint groups this agent does not serve (they answer 404 `Invalid URL path`). */
export const NOT_IMPLEMENTED = [
  '`/v1/exported-services`',
  '`/v1/internal/*` other than the two above (the endpoints of Consul\'s own UI; Proconsul\'s UI uses the public API)',
  '`/v1/operator/area/*`, `/v1/namespace*`, `/v1/partition*` (Enterprise features)',
];
