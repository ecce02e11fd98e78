/**
 * `proconsul connect proxy`: Consul's built-in L4 proxy (command/connect/proxy/proxy.go and
 * flag_upstreams.go). Configured from the proxy service registered on the local agent
 * (`-proxy-id`, `-sidecar-for`) or from flags (`-service`, `-upstream`, `-listen`,
 * `-service-addr`, `-register`); runs until SIGINT or SIGTERM.
 */
import type { Consul } from '@proconsul/api';
import type { Command } from '../command.js';
import { FlagSet, parseGoInt, type ParsedFlags } from '../flags.js';
import { apiClient, clientAndServerFlags, errText } from '../http-flags.js';
import { Ui } from '../io.js';
import { publicListenerDefaults, splitHostPort, upstreamFromApi, type ProxyConfig, type UpstreamConfig } from '../connect-proxy/config.js';
import { agentConfigWatcher, staticConfigWatcher } from '../connect-proxy/config-watcher.js';
import { ProxyLogger, parseLogLevel } from '../connect-proxy/logger.js';
import { BuiltinProxy } from '../connect-proxy/proxy.js';
import { RegisterMonitor } from '../connect-proxy/register.js';

/** mitchellh/cli's PrefixedUi as Consul's proxy command sets it up: `==> ` for output and errors, four spaces for info. */
class PrefixedUi extends Ui {
  override output(text: string): void {
    super.output(`==> ${text}`);
  }

  override info(text: string): void {
    super.output(text === '' ? '' : `    ${text}`);
  }

  override error(text: string): void {
    super.error(`==> ${text}`);
  }
}

/** Log lines wait until the banner is out (Consul's GatedWriter), then flow as written. */
class LogGate {
  private buffered: string[] | undefined = [];

  constructor(private readonly ui: Ui) {}

  write(line: string): void {
    if (this.buffered) this.buffered.push(line);
    else this.ui.info(line);
  }

  flush(): void {
    const lines = this.buffered ?? [];
    this.buffered = undefined;
    for (const l of lines) this.ui.info(l);
  }
}

/**
 * One `-upstream` value (Consul's FlagUpstreams.Set): `name:port` or `name:host:port`, the name
 * optionally suffixed `.service` or `.query` (a prepared query). Throws Consul's texts.
 */
export function parseUpstreamFlag(value: string): UpstreamConfig {
  const idx = value.indexOf(':');
  if (idx < 0) throw new Error(`Upstream value should be name:addr in ${JSON.stringify(value)}`);
  let name = value.slice(0, idx);
  let portRaw = value.slice(idx + 1);
  let addr = '';
  const colon = portRaw.indexOf(':');
  if (colon >= 0) {
    addr = portRaw.slice(0, colon);
    portRaw = portRaw.slice(colon + 1);
  }
  let destinationType = 'service';
  const dot = name.indexOf('.');
  if (dot >= 0) {
    const typ = name.slice(dot + 1);
    name = name.slice(0, dot);
    if (typ === 'query') destinationType = 'prepared_query';
    else if (typ !== '' && typ !== 'service') throw new Error(`Upstream type must be blank, 'service', or 'query'. Got: ${JSON.stringify(typ)}`);
  }
  const port = parseGoInt(portRaw);
  if (port === undefined) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(portRaw)}: invalid syntax`);
  // LocalBindAddress stays as given (blank shows as blank in the banner); defaults come later.
  return { ...upstreamFromApi({ DestinationName: name, DestinationType: destinationType, LocalBindPort: port }), localBindAddress: addr };
}

/** `-upstream` values by name, a later one replacing an earlier one of the same name (a Go map). */
function upstreamFlags(f: ParsedFlags): Map<string, UpstreamConfig> {
  const out = new Map<string, UpstreamConfig>();
  for (const v of f.list('upstream')) {
    const u = parseUpstreamFlag(v);
    out.set(u.destinationName, u);
  }
  return out;
}

/** The host and port of `-listen`; throws Go's net.SplitHostPort / strconv texts. */
function listenParts(listen: string): { host: string; port: number } {
  const { host, port: raw } = splitHostPort(listen);
  const port = parseGoInt(raw);
  if (port === undefined) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return { host, port };
}

/**
 * Consul's LookupProxyIDForSidecar: the one connect-proxy on the local agent whose
 * Proxy.DestinationServiceID is the service; an error when there is none or several.
 */
export async function lookupProxyIdForSidecar(client: Consul, sidecarFor: string): Promise<string> {
  let services;
  try {
    services = await client.agent.services();
  } catch (err) {
    throw new Error(`Failed looking up sidecar proxy info for ${sidecarFor}: ${errText(err)}`);
  }
  const ids = Object.values(services)
    .filter((s) => s.Kind === 'connect-proxy' && s.Proxy && String((s.Proxy as { DestinationServiceID?: string }).DestinationServiceID ?? '').toLowerCase() === sidecarFor)
    .map((s) => s.ID)
    .sort();
  if (ids.length === 0) throw new Error(`No sidecar proxy registered for ${sidecarFor}`);
  if (ids.length > 1) throw new Error(`More than one sidecar proxy registered for ${sidecarFor}.\n    Start proxy with -proxy-id and one of the following IDs: ${ids.join(', ')}`);
  return ids[0]!;
}

interface ConfigSource {
  configs: (signal: AbortSignal) => AsyncIterable<ProxyConfig>;
}

/** Consul's configWatcher: prints the configuration mode and returns where configurations come from. */
async function configSource(f: ParsedFlags, ui: Ui, client: Consul, logger: ProxyLogger, ids: { proxyId: string; sidecarFor: string }): Promise<ConfigSource> {
  if (ids.proxyId) {
    ui.info('Configuration mode: Agent API');
    ui.info(`          Proxy ID: ${ids.proxyId}`);
    return { configs: (signal) => agentConfigWatcher(client, ids.proxyId, logger, signal) };
  }
  if (ids.sidecarFor) {
    const proxyId = await lookupProxyIdForSidecar(client, ids.sidecarFor);
    ui.info('Configuration mode: Agent API');
    ui.info(`    Sidecar for ID: ${ids.sidecarFor}`);
    ui.info(`          Proxy ID: ${proxyId}`);
    return { configs: (signal) => agentConfigWatcher(client, proxyId, logger, signal) };
  }
  const service = f.string('service');
  if (!service) throw new Error('-service or -proxy-id must be specified so that proxy can configure itself.');
  ui.info('Configuration mode: Flags');
  ui.info(`           Service: ${service}`);
  const byName = upstreamFlags(f);
  const upstreams: UpstreamConfig[] = [];
  for (const name of [...byName.keys()].sort()) {
    const u = byName.get(name)!;
    ui.info(`          Upstream: ${name} => ${u.localBindAddress}:${u.localBindPort}`);
    upstreams.push({ ...u, localBindAddress: u.localBindAddress || '127.0.0.1' });
  }
  let publicListener = publicListenerDefaults({});
  const listen = f.string('listen');
  if (listen) {
    const { host, port } = listenParts(listen);
    const serviceAddr = f.string('service-addr');
    if (!serviceAddr) throw new Error('-service-addr must be specified with -listen so the proxy knows the backend service address.');
    ui.info(`   Public listener: ${host}:${port} => ${serviceAddr}`);
    publicListener = publicListenerDefaults({ bindAddress: host, bindPort: port, localServiceAddress: serviceAddr });
  } else {
    ui.info('   Public listener: Disabled');
  }
  const cfg: ProxyConfig = { proxiedServiceName: service, publicListener, upstreams };
  return { configs: () => staticConfigWatcher(cfg) };
}

export const connectProxy: Command = {
  synopsis: 'Runs a Consul Connect proxy',
  help: `Usage: proconsul connect proxy [options]

  Starts a Consul Connect proxy and runs until an interrupt is received.
  The proxy can be used to accept inbound connections for a service,
  wrap outbound connections to upstream services, or both. This enables
  a non-Connect-aware application to use Connect.

  The proxy requires service:write permissions for the service it represents.
  The token may be passed via the CLI or the CONSUL_HTTP_TOKEN environment
  variable.

  Consul can automatically start and manage this proxy by specifying the
  "proxy" configuration within your service definition.

  The example below shows how to start a local proxy for establishing outbound
  connections to "db" representing the frontend service. Once running, any
  process that creates a TCP connection to the specified port (8181) will
  establish a mutual TLS connection to "db" identified as "frontend".

    $ proconsul connect proxy -service frontend -upstream db:8181

  The next example starts a local proxy that also accepts inbound connections
  on port 8443, authorizes the connection, then proxies it to port 8080:

    $ proconsul connect proxy \\
        -service frontend \\
        -service-addr 127.0.0.1:8080 \\
        -listen ':8443'

  A proxy can accept both inbound connections as well as proxy to upstream
  services by specifying both the "-listen" and "-upstream" flags.`,
  flags: () =>
    new FlagSet([
      { name: 'proxy-id', kind: 'string', usage: "The proxy's ID on the local agent." },
      {
        name: 'sidecar-for',
        kind: 'string',
        usage:
          'The ID of a service instance on the local agent that this proxy should become a sidecar for. It requires that the proxy service is registered with the agent as a connect-proxy with Proxy.DestinationServiceID set to this value. If more than one such proxy is registered it will fail.',
      },
      { name: 'log-level', kind: 'string', default: 'INFO', usage: 'Specifies the log level.' },
      { name: 'log-json', kind: 'bool', usage: 'Output logs in JSON format.' },
      { name: 'service', kind: 'string', usage: 'Name of the service this proxy is representing.' },
      {
        name: 'upstream',
        kind: 'list',
        usage: "Upstream service to support connecting to. The format should be 'name:addr', such as 'db:8181'. This will make 'db' available on port 8181. This can be repeated multiple times.",
      },
      { name: 'service-addr', kind: 'string', usage: 'Address of the local service to proxy. Only useful if -listen and -service are both set.' },
      { name: 'listen', kind: 'string', usage: 'Address to listen for inbound connections to the proxied service. Must be specified with -service and -service-addr.' },
      { name: 'register', kind: 'bool', usage: 'Self-register with the local Consul agent. Only useful with -listen.' },
      { name: 'register-id', kind: 'string', usage: 'ID suffix for the service. Use this to disambiguate with other proxies.' },
    ]).merge(clientAndServerFlags()),
  async run(f, plainUi) {
    const ui = new PrefixedUi(plainUi.io);
    if (f.args.length > 0) {
      ui.error('Should have no non-flag arguments.');
      return 1;
    }
    // Go's flag package rejects a bad -upstream while parsing: same text, before anything runs.
    for (const v of f.list('upstream')) {
      try {
        parseUpstreamFlag(v);
      } catch (err) {
        ui.error(`invalid value ${JSON.stringify(v)} for flag -upstream: ${errText(err)}`);
        return 1;
      }
    }
    const env = ui.io.env;
    const ids = { proxyId: f.string('proxy-id') || env['CONNECT_PROXY_ID'] || '', sidecarFor: f.string('sidecar-for') || env['CONNECT_SIDECAR_FOR'] || '' };
    const level = parseLogLevel(f.string('log-level'));
    if (!level) {
      ui.error(`Invalid log level: ${f.string('log-level')}. Valid log levels are: [TRACE DEBUG INFO WARN ERR ERROR]`);
      return 1;
    }
    const gate = new LogGate(ui);
    const logger = new ProxyLogger((line) => gate.write(line), level, f.bool('log-json'));
    const client = apiClient(f, ui);
    if (!client) return 1;

    ui.output('Consul Connect proxy starting...');
    let source: ConfigSource;
    try {
      source = await configSource(f, ui, client, logger, ids);
    } catch (err) {
      ui.error(`Error preparing configuration: ${errText(err)}`);
      return 1;
    }

    let monitor: RegisterMonitor | undefined;
    if (f.bool('register')) {
      if (!f.string('service') || !f.string('listen')) {
        ui.error('Failed initializing registration: -register may only be specified with -service and -listen');
        return 1;
      }
      const { host, port } = listenParts(f.string('listen'));
      monitor = new RegisterMonitor(client, { service: f.string('service'), idSuffix: f.string('register-id'), localAddress: host, localPort: port }, logger);
    }

    const stop = new AbortController();
    const proxy = new BuiltinProxy(client, logger);
    const onSignal = (): void => {
      stop.abort();
      void proxy.close();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let code = 0;
    try {
      monitor?.run();
      ui.info('');
      ui.output('Log data will now stream in as it occurs:\n');
      gate.flush();
      try {
        await proxy.serve(source.configs(stop.signal));
      } catch (err) {
        // Consul exits 0 here; a proxy that could not serve is a failure, so this exits 1.
        ui.error(`Failed running proxy: ${errText(err)}`);
        code = 1;
      }
    } finally {
      stop.abort();
      await proxy.close();
      await monitor?.close();
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    ui.output('Consul Connect proxy shutdown');
    return code;
  },
};
