// proconsul-template's flags: consul-template's single-dash Go flags
// (`-name value`, `-name=value`, bool `-once`), applied over config files.

import { parseDuration } from '@proconsul/api';
import { ConfigError, parseAuthFlag, defaultConfig, signalValue, loadConfigFile, nginxConfTemplate, parseNginxUpstreamFlag, parseTemplateFlag, parseWait, type RunnerConfig } from './config.js';
import type { NginxUpstream } from '../nginx/renderer.js';
import { parseLogLevel } from './log.js';

export const USAGE = `Usage: proconsul-template [options]

  Watches Consul (or Proconsul) and renders templates (Go text/template with
  consul-template's functions) to files, running a command when a file changes.

Options:
  -config <path>          HCL or JSON config file with consul-template's keys (repeatable)
  -consul-addr <addr>     agent address (default $CONSUL_HTTP_ADDR or 127.0.0.1:8500)
  -consul-token <token>   ACL token (default $CONSUL_TOKEN, then $CONSUL_HTTP_TOKEN)
  -consul-token-file <path>  file holding the ACL token; when not empty it wins over the token
                          (default $CONSUL_TOKEN_FILE, then $CONSUL_HTTP_TOKEN_FILE)
  -consul-auth <user[:pass]>  HTTP basic auth for the agent
  -consul-ssl             talk HTTPS to the agent (also: an https:// address, $CONSUL_HTTP_SSL)
  -consul-ssl-verify      verify the agent's certificate (default true; -consul-ssl-verify=false)
  -consul-ssl-ca-cert <path>, -consul-ssl-ca-path <dir>, -consul-ssl-cert <path>,
  -consul-ssl-key <path>, -consul-ssl-server-name <name>
  -template <src:dst[:command]>  template to render (repeatable)
  -wait <min[:max]>       quiescence before rendering (max defaults to 4x min)
  -once                   render once, run the commands, exit
  -dry                    print rendered templates to stdout instead of writing them
  -exec <command>         run a child process once all templates are rendered; exit with it;
                          a template change sends it -exec-reload-signal, or restarts it
  -exec-reload-signal <sig>  signal for the child on a template change (default: restart it)
  -exec-kill-signal <sig> signal that stops the child (default SIGINT)
  -exec-kill-timeout <dur> time the child has to exit before SIGKILL (default 30s)
  -exec-splay <dur>       random wait up to this before the reload signal or restart (default 0)
  -exec-env-pristine      start the child with no inherited environment
  -exec-env-custom <K=V>, -exec-env-allowlist <glob>, -exec-env-denylist <glob>  (repeatable)
  -reload-signal <sig>    reload the configuration and templates on it (default SIGHUP; "" off)
  -kill-signal <sig>      stop on it (default SIGINT; "" off); other signals go to the child
  -consul-retry           retry failed queries (default true; -consul-retry=false gives up at once)
  -consul-retry-attempts <n>  retries before exiting with an error (default 12, 0 = forever)
  -consul-retry-backoff <dur>  first wait, doubled on each retry (default 250ms)
  -consul-retry-max-backoff <dur>  longest wait between retries (default 1m, 0 = no bound)
  -log-level <level>      trace, debug, info, warn, err (default info)
  -pid-file <path>        write the process id to this file
  -validate <command>     validate a render before it replaces the file; {{path}} is the
                          candidate file (e.g. "nginx -t -c {{path}}"); on failure the last
                          good file stays
  -min-instances <n>      do not render while any service query has fewer instances
  -key-timeout <dur>      a "key" that does not exist fails after this long (default 30s, 0 = wait forever)
  -max-stale <dur>        any server may answer if it heard from its leader within this (default 2s, 0 = the leader only)
  -dedup                  de-duplication: one instance per template watches Consul and shares
                          the data through the KV store (see the dedup block for its settings)
  -version                print the version

nginx without a template (the file's other lines and comments stay as written):
  -nginx-conf <path>      an existing nginx configuration file to keep in step
  -nginx-upstream <upstream=service>  rewrite the server lines of "upstream <upstream>" from
                          the passing instances of <service> (repeatable; e.g. app=web, app=tag.web)
  -nginx-reload <command> run after a change (default "nginx -s reload"); validation defaults
                          to "nginx -t -q" and a failing change is rolled back
`;

export type CliResult = { kind: 'run'; config: RunnerConfig; configPaths: string[] } | { kind: 'help' } | { kind: 'version' };

const BOOL_FLAGS = new Set(['once', 'dry', 'version', 'v', 'help', 'h', 'dedup', 'syslog', 'vault-renew-token', 'consul-ssl', 'consul-ssl-verify', 'consul-retry', 'exec-env-pristine']);
const VALUE_FLAGS = new Set([
  'config', 'consul-addr', 'consul-token', 'consul-token-file', 'consul-auth', 'consul-ssl-cert', 'consul-ssl-key', 'consul-ssl-ca-cert', 'consul-ssl-ca-path',
  'consul-ssl-server-name', 'template', 'wait', 'exec', 'log-level', 'pid-file', 'validate', 'min-instances', 'key-timeout', 'max-stale',
  'nginx-conf', 'nginx-upstream', 'nginx-reload', 'consul-retry-attempts', 'consul-retry-backoff', 'consul-retry-max-backoff', 'retry',
  'exec-reload-signal', 'exec-kill-signal', 'exec-kill-timeout', 'exec-splay', 'exec-env-custom', 'exec-env-allowlist', 'exec-env-denylist',
  'reload-signal', 'kill-signal',
]);
const IGNORED = new Set(['syslog', 'syslog-facility']);

/** Parses argv (without node and the script). Throws ConfigError with a one-line message. */
export function parseArgs(argv: string[]): CliResult {
  const flags: Array<[string, string]> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') throw new ConfigError(`unexpected argument ${JSON.stringify(arg)} (flags start with -)`);
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (!BOOL_FLAGS.has(name) && !VALUE_FLAGS.has(name) && !IGNORED.has(name)) throw new ConfigError(`flag provided but not defined: -${name}`);
    if (eq >= 0) flags.push([name, body.slice(eq + 1)]);
    else if (BOOL_FLAGS.has(name)) flags.push([name, 'true']);
    else {
      if (i + 1 >= argv.length) throw new ConfigError(`flag needs an argument: -${name}`);
      flags.push([name, argv[++i]!]);
    }
  }
  if (flags.some(([n]) => n === 'h' || n === 'help')) return { kind: 'help' };
  if (flags.some(([n]) => n === 'v' || n === 'version')) return { kind: 'version' };

  const config = defaultConfig();
  const configPaths = flags.filter(([n]) => n === 'config').map(([, v]) => v);
  for (const p of configPaths) loadConfigFile(config, p);
  let validate: string | undefined;
  let minInstances: number | undefined;
  let nginxConf: string | undefined;
  let nginxReload = 'nginx -s reload';
  const nginxUpstreams: NginxUpstream[] = [];
  const bool = (name: string, v: string): boolean => {
    if (!['true', 'false', '1', '0'].includes(v)) throw new ConfigError(`invalid boolean value ${JSON.stringify(v)} for -${name}`);
    return v === 'true' || v === '1';
  };
  for (const [name, v] of flags) {
    switch (name) {
      case 'config': break;
      case 'consul-addr': config.consul.address = v; break;
      case 'consul-token': config.consul.token = v; break;
      case 'consul-token-file': config.consul.tokenFile = v; break;
      case 'consul-auth': config.consul.auth = parseAuthFlag(v); break;
      case 'consul-ssl': config.consul.ssl.enabled = bool(name, v); break;
      case 'consul-ssl-verify': config.consul.ssl.verify = bool(name, v); break;
      case 'consul-ssl-cert': config.consul.ssl.cert = v; break;
      case 'consul-ssl-key': config.consul.ssl.key = v; break;
      case 'consul-ssl-ca-cert': config.consul.ssl.caCert = v; break;
      case 'consul-ssl-ca-path': config.consul.ssl.caPath = v; break;
      case 'consul-ssl-server-name': config.consul.ssl.serverName = v; break;
      case 'template': config.templates.push(parseTemplateFlag(v)); break;
      case 'wait': config.wait = parseWait(v); break;
      case 'once': config.once = bool(name, v); break;
      case 'dry': config.dry = bool(name, v); break;
      case 'dedup': config.dedup.enabled = bool(name, v); break;
      // cli.go: -exec sets the command and turns exec mode on.
      case 'exec': config.exec.command = v; config.exec.enabled = true; break;
      case 'exec-reload-signal': config.exec.reloadSignal = signalFlag(name, v); break;
      case 'exec-kill-signal': config.exec.killSignal = signalFlag(name, v); break;
      case 'exec-kill-timeout': config.exec.killTimeoutMs = durationFlag(name, v); break;
      case 'exec-splay': config.exec.splayMs = durationFlag(name, v); break;
      case 'exec-env-pristine': config.exec.env.pristine = bool(name, v); break;
      case 'exec-env-custom': config.exec.env.custom.push(v); break;
      case 'exec-env-allowlist': config.exec.env.allowlist.push(v); break;
      case 'exec-env-denylist': config.exec.env.denylist.push(v); break;
      case 'reload-signal': config.reloadSignal = signalFlag(name, v); break;
      case 'kill-signal': config.killSignal = signalFlag(name, v); break;
      case 'consul-retry': config.consul.retry.enabled = bool(name, v); break;
      case 'consul-retry-attempts':
        if (!/^\d+$/.test(v)) throw new ConfigError(`invalid value ${JSON.stringify(v)} for -consul-retry-attempts: expected a non-negative integer`);
        config.consul.retry.attempts = Number(v);
        break;
      // -retry is consul-template's older name of -consul-retry-backoff.
      case 'retry': case 'consul-retry-backoff': config.consul.retry.backoffMs = durationFlag(name, v); break;
      case 'consul-retry-max-backoff': config.consul.retry.maxBackoffMs = durationFlag(name, v); break;
      case 'log-level':
        try {
          config.logLevel = parseLogLevel(v);
        } catch (e) {
          throw new ConfigError((e as Error).message);
        }
        break;
      case 'pid-file': config.pidFile = v; break;
      case 'nginx-conf':
        if (nginxConf !== undefined) throw new ConfigError('-nginx-conf given twice (one file per proconsul-template)');
        nginxConf = v;
        break;
      case 'nginx-upstream': nginxUpstreams.push(parseNginxUpstreamFlag(v)); break;
      case 'nginx-reload': nginxReload = v; break;
      case 'validate': validate = v; break;
      case 'min-instances':
        if (!/^\d+$/.test(v)) throw new ConfigError(`invalid value ${JSON.stringify(v)} for -min-instances: expected a non-negative integer`);
        minInstances = Number(v);
        break;
      case 'key-timeout':
        config.keyTimeoutMs = durationFlag(name, v);
        break;
      case 'max-stale':
        config.maxStaleMs = durationFlag(name, v);
        break;
      default:
        if (!IGNORED.has(name)) throw new ConfigError(`flag provided but not defined: -${name}`);
        config.ignored.push(`-${name}`);
    }
  }
  if (nginxConf !== undefined || nginxUpstreams.length > 0) {
    if (nginxConf === undefined) throw new ConfigError('-nginx-upstream needs -nginx-conf <path> (the file to keep in step)');
    if (nginxUpstreams.length === 0) throw new ConfigError('-nginx-conf needs at least one -nginx-upstream "upstream=service"');
    const names = nginxUpstreams.map((u) => u.upstream);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new ConfigError(`-nginx-upstream: upstream ${JSON.stringify(twice)} given twice`);
    config.templates.push(nginxConfTemplate(nginxConf, nginxUpstreams, nginxReload));
  }
  // -validate / -min-instances apply to templates that do not set their own.
  for (const t of config.templates) {
    if (validate !== undefined && t.validate === undefined) t.validate = validate;
    if (minInstances !== undefined && t.minInstances === 0) t.minInstances = minInstances;
    // The whole file is nginx's: check it as nginx will read it (a failing change is rolled back).
    if (t.nginxUpstreams && t.validate === undefined) t.validate = 'nginx -t -q';
  }
  return { kind: 'run', config, configPaths };
}

/** A signal name ("" turns it off); a bad one: `-kill-signal: invalid signal "X" - valid signals are [...]`. */
function signalFlag(name: string, v: string): NodeJS.Signals | null {
  return signalValue(`-${name}`, v);
}

function durationFlag(name: string, v: string): number {
  try {
    return parseDuration(v);
  } catch {
    throw new ConfigError(`invalid value ${JSON.stringify(v)} for -${name}: expected a duration like 30s`);
  }
}
