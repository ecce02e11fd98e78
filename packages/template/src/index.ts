// @proconsul/template: a Go text/template engine and a consul-template
// compatible runner.
export { Template, type TemplateOptions } from './engine/template.js';
export { TemplateExecError, TemplateParseError } from './engine/errors.js';
export { variadic, type FuncMap, type TemplateFunc, type MissingKey } from './engine/exec.js';
export { sprint, sprintf, sprintln } from './engine/fmt.js';
export { Brain, type KVGetValue } from './consul/brain.js';
export { consulFuncs, RenderScope } from './consul/funcs.js';
export { helperFuncs, goJSON } from './consul/helpers.js';
export { connectFuncs } from './consul/connect-funcs.js';
export { peeringFuncs } from './consul/peering-funcs.js';
export { ExportedService, ImportedService, Partition, Peering, PeeringRemoteInfo, PeeringStreamStatus, ResolvedConsumers } from './consul/peering-data.js';
export { sockaddrFuncs, type SockaddrHost } from './consul/sockaddr.js';
export { CARoot, LeafCert } from './consul/connect-data.js';
export { GoTime } from './consul/gotime.js';
export { sprigFuncs } from './sprig/index.js';
export { SemverVersion } from './sprig/semver.js';
export { spewFuncs, sdump } from './spew/spew.js';
export { AgentWeights, CatalogNode, CatalogNodeService, CatalogSnippet, HealthService, KeyPair, Node, ServiceAddress, ServiceTags, aggregatedStatus } from './consul/data.js';
export {
  healthServiceQuery, kvGetQuery, kvListQuery, catalogServicesQuery, catalogNodesQuery, catalogNodeQuery,
  datacentersQuery, fileQuery, connectCARootsQuery, connectLeafQuery, listPeeringsQuery, listExportedServicesQuery,
  listImportedServicesQuery, listPartitionsQuery, QueryError, type Dependency,
} from './consul/query.js';
export { Scratch } from './consul/scratch.js';
export { TemplateRenderer, type RendererOptions, type RenderResult } from './runner/render.js';
export { Runner, type RunnerOptions, type RunnerEvent } from './runner/runner.js';
export { Watcher, type WatcherOptions } from './runner/watcher.js';
export { writeIfChanged, type WriteSpec, type WriteOutcome } from './runner/writer.js';
export { runCommand, type CommandResult } from './runner/command.js';
export {
  applyConfigObject, defaultConfig, loadConfigFile, parseTemplateFlag, parseWait, ConfigError,
  type RunnerConfig, type TemplateConfig, type Wait,
} from './runner/config.js';
export { parseArgs, USAGE } from './runner/cli.js';
export { parseHcl, HclError } from './runner/hcl.js';
export { createLogger, parseLogLevel, silentLogger, type Logger, type LogLevel } from './runner/log.js';
export { NginxUpstreamRenderer, type NginxUpstream } from './nginx/renderer.js';
export { rewriteUpstreams, findUpstreams, NginxConfError } from './nginx/upstreams.js';
export { serverLine, upstreamServers, NO_INSTANCE } from './nginx/servers.js';
