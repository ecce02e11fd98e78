/** Registrator's command line: Go `flag` syntax (`-flag value`, `-flag=value`, `--flag`). */
export interface RegistratorOptions {
  registryUri: string;
  cleanup: boolean;
  deregister: 'always' | 'on-success';
  explicit: boolean;
  internal: boolean;
  ip?: string;
  /** `-resync`: seconds between full reconciliations; 0 = never. */
  resyncSeconds: number;
  /** `-retry-attempts`: attempts to reach the agent at start; -1 = forever. */
  retryAttempts: number;
  /** `-retry-interval`: milliseconds between those attempts. */
  retryIntervalMs: number;
  tags: string[];
  ttlSeconds: number;
  ttlRefreshSeconds: number;
  useIpFromLabel?: string;
  /** Beyond registrator: the network whose address `-internal` registers. */
  network?: string;
}

export class UsageError extends Error {}

type Kind = 'bool' | 'string' | 'int';
const FLAGS: Record<string, Kind> = {
  cleanup: 'bool', deregister: 'string', explicit: 'bool', internal: 'bool', ip: 'string', resync: 'int',
  'retry-attempts': 'int', 'retry-interval': 'int', tags: 'string', ttl: 'int', 'ttl-refresh': 'int',
  useIpFromLabel: 'string', network: 'string',
};

export const USAGE = `Usage of proconsul-registrator:
  proconsul-registrator [options] <registry URI>   (consul://host:port, consul-tls://host:port, consul-unix:///path,
                                                    etcd://host:port/prefix, skydns2://host:port/domain, zookeeper://host:port/path)
  -cleanup                remove dangling services
  -deregister string      deregister exited services "always" or "on-success" (default "always")
  -explicit               only register containers which have SERVICE_NAME label set
  -internal               use internal ports instead of published ones
  -ip string              IP for ports mapped to the host
  -network string         with -internal: the network whose container address is registered
  -resync int             frequency with which services are resynchronized (seconds; 0 = never)
  -retry-attempts int     max retry attempts to establish a connection with the backend (-1 = infinite)
  -retry-interval int     interval (in millisecond) between retry-attempts (default 2000)
  -tags string            append tags for all registered services
  -ttl int                TTL for services (default is no expiry): a Consul TTL check, an etcd key TTL
  -ttl-refresh int        frequency with which service TTLs are refreshed
  -useIpFromLabel string  use IP which is stored in a label assigned to the container`;

export function parseOptions(argv: readonly string[]): RegistratorOptions {
  const values: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-' || positional.length > 0) {
      positional.push(arg);
      continue;
    }
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const kind = Object.hasOwn(FLAGS, name) ? FLAGS[name] : undefined; // `-constructor` is not a flag
    if (name === 'h' || name === 'help') throw new UsageError(USAGE);
    if (!kind) throw new UsageError(`flag provided but not defined: -${name}`);
    if (kind === 'bool') {
      const v = eq >= 0 ? body.slice(eq + 1) : 'true';
      if (!/^(1|0|t|f|true|false|TRUE|FALSE|True|False)$/.test(v)) throw new UsageError(`invalid boolean value "${v}" for -${name}`);
      values[name] = /^(1|t|true)$/i.test(v);
      continue;
    }
    const v = eq >= 0 ? body.slice(eq + 1) : argv[++i];
    if (v === undefined) throw new UsageError(`flag needs an argument: -${name}`);
    if (kind === 'int' && !/^-?\d+$/.test(v)) throw new UsageError(`invalid value "${v}" for flag -${name}: parse error`);
    values[name] = v;
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'Missing required argument for registry URI.' : `Extra unparsed arguments: ${positional.slice(1).join(' ')}`);

  const int = (name: string, dflt: number) => (values[name] === undefined ? dflt : Number(values[name]));
  const str = (name: string) => (values[name] === undefined || values[name] === '' ? undefined : String(values[name]));
  const deregister = str('deregister') ?? 'always';
  if (deregister !== 'always' && deregister !== 'on-success') throw new UsageError(`-deregister must be "always" or "on-success", not "${deregister}"`);
  const opts: RegistratorOptions = {
    registryUri: positional[0]!,
    cleanup: values.cleanup === true,
    deregister,
    explicit: values.explicit === true,
    internal: values.internal === true,
    resyncSeconds: int('resync', 0),
    retryAttempts: int('retry-attempts', 0),
    retryIntervalMs: int('retry-interval', 2000),
    tags: (str('tags') ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    ttlSeconds: int('ttl', 0),
    ttlRefreshSeconds: int('ttl-refresh', 0),
    ...(str('ip') ? { ip: str('ip') } : {}),
    ...(str('useIpFromLabel') ? { useIpFromLabel: str('useIpFromLabel') } : {}),
    ...(str('network') ? { network: str('network') } : {}),
  };
  if ((opts.ttlSeconds === 0) !== (opts.ttlRefreshSeconds === 0)) throw new UsageError('-ttl and -ttl-refresh must be specified together or not at all');
  if (opts.ttlSeconds > 0 && opts.ttlSeconds <= opts.ttlRefreshSeconds) throw new UsageError('-ttl must be greater than -ttl-refresh');
  if (opts.retryIntervalMs <= 0) throw new UsageError('-retry-interval must be greater than 0');
  if (opts.resyncSeconds < 0) throw new UsageError('-resync must not be negative');
  if (opts.retryAttempts < -1) throw new UsageError('-retry-attempts must be -1 (forever) or more');
  return opts;
}
