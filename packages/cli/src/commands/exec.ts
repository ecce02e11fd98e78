/**
 * `proconsul exec`: runs a command on the agents a `_rexec` user event reaches (Consul's
 * command/exec/exec.go). The job goes to KV under <prefix>/<session>/job, held by a TTL session
 * this command renews; the event names the prefix and the session; each agent that runs it
 * (disable_remote_exec = false) writes <node>/ack, <node>/out/NNNNN and <node>/exit beside the
 * job, which this command follows with blocking queries. At the end the session is destroyed
 * (its keys go with it) and the prefix deleted.
 */
import { kvValueBytes, kvValueText, parseDuration, type Consul } from '@proconsul/api';
import { helpText, type Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { filtersError } from './event.js';
import { apiClient, clientFlags, errText, serverFlags } from '../http-flags.js';
import type { Ui } from '../io.js';

/** Consul's rExecPrefix, rExecFileName and the suffixes the agents write. */
const REXEC_PREFIX = '_rexec';
const JOB_KEY = 'job';
const ACK_SUFFIX = '/ack';
const EXIT_SUFFIX = '/exit';
const OUTPUT_DIVIDER = '/out/';
/** Consul's rExecTTL and rExecRenewInterval. */
const SESSION_TTL = '15s';
const RENEW_INTERVAL_MS = 5_000;
/** Consul's rExecQuietWait and rExecReplicationWait (flag defaults). */
const QUIET_WAIT = '2s';
const REPLICATION_WAIT = '200ms';

interface ExecConf {
  prefix: string;
  node: string;
  service: string;
  tag: string;
  waitMs: number;
  replWaitMs: number;
  verbose: boolean;
  cmd: string;
  args: string[];
  script: Uint8Array;
}

type JobEvent =
  | { kind: 'ack' | 'heartbeat'; node: string }
  | { kind: 'output'; node: string; output: string }
  | { kind: 'exit'; node: string; code: number }
  | { kind: 'error' };

/** Consul's TargetedUI: every line prefixed with the node, `==>` for info and spaces for output. */
function targeted(node: string, message: string, arrow: boolean): string {
  const lead = arrow ? '==>' : '   ';
  return message
    .split('\n')
    .map((line) => `${lead} ${node}: ${line}`)
    .join('\n')
    .trimEnd();
}

/** The job as the agents decode it (Consul's rExecSpec: omitempty fields, Wait in nanoseconds). */
function jobSpec(conf: ExecConf): string {
  return JSON.stringify({
    ...(conf.cmd !== '' ? { Command: conf.cmd } : {}),
    ...(conf.args.length > 0 ? { Args: conf.args } : {}),
    ...(conf.script.length > 0 ? { Script: Buffer.from(conf.script).toString('base64') } : {}),
    Wait: Math.round(conf.waitMs * 1e6),
  });
}

function durationFlag(value: string, name: string): number | string {
  try {
    return parseDuration(value);
  } catch {
    return `invalid value "${value}" for flag -${name}: parse error`;
  }
}

/** A queue the results stream fills and the waiting loop drains with a quiet-period timeout. */
class JobEvents {
  #items: JobEvent[] = [];
  #wake: (() => void) | undefined;

  push(e: JobEvent): void {
    this.#items.push(e);
    this.#wake?.();
  }

  /** The next event, or undefined after `timeoutMs` without one (or when `stop` aborts). */
  async next(timeoutMs: number, stop: AbortSignal): Promise<JobEvent | undefined> {
    if (this.#items.length === 0 && !stop.aborted) {
      let timer: NodeJS.Timeout | undefined;
      let onAbort = (): void => undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        onAbort = resolve;
        timer = setTimeout(resolve, Math.max(0, timeoutMs));
        stop.addEventListener('abort', onAbort, { once: true });
      });
      clearTimeout(timer);
      stop.removeEventListener('abort', onAbort);
      this.#wake = undefined;
    }
    return this.#items.shift();
  }
}

/** Consul's streamResults: blocking key listings of the job's directory, each new key read once. */
async function streamResults(client: Consul, ui: Ui, dir: string, waitMs: number, events: JobEvents, signal: AbortSignal): Promise<void> {
  const seen = new Set<string>();
  let index = 0;
  while (!signal.aborted) {
    let keys: string[];
    try {
      const res = await client.kv.keys(dir, '', { index, wait: waitMs, signal });
      if (res.meta.lastIndex === index) continue;
      index = res.meta.lastIndex;
      keys = res.data;
    } catch (err) {
      if (signal.aborted) return;
      ui.error(`Failed to read results: ${errText(err)}`);
      events.push({ kind: 'error' });
      return;
    }
    // A node's output before its exit when one listing holds both (the keys sort `exit` before
    // `out/`, and Consul's select between its channels may print either first).
    const exitsLast = [...keys.filter((k) => !k.endsWith(EXIT_SUFFIX)), ...keys.filter((k) => k.endsWith(EXIT_SUFFIX))];
    for (const full of exitsLast) {
      if (seen.has(full)) continue;
      seen.add(full);
      const key = full.startsWith(dir) ? full.slice(dir.length) : full;
      if (key === JOB_KEY) continue;
      if (key.endsWith(ACK_SUFFIX)) {
        events.push({ kind: 'ack', node: key.slice(0, -ACK_SUFFIX.length) });
        continue;
      }
      const isExit = key.endsWith(EXIT_SUFFIX);
      const outAt = key.lastIndexOf(OUTPUT_DIVIDER);
      if (!isExit && outAt < 0) {
        ui.error(`Unknown key '${key}', ignoring.`);
        continue;
      }
      let value: Uint8Array;
      try {
        const pair = (await client.kv.get(full, { signal })).data;
        if (!pair) throw new Error('<nil>');
        value = kvValueBytes(pair);
        if (isExit) {
          const text = kvValueText(pair);
          if (!/^[+-]?\d+$/.test(text) || Math.abs(Number(text)) > 2 ** 31) {
            ui.error(`Failed to parse exit code '${text}': strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
            continue;
          }
          events.push({ kind: 'exit', node: key.slice(0, -EXIT_SUFFIX.length), code: Number(text) });
          continue;
        }
      } catch (err) {
        if (signal.aborted) return;
        ui.error(`Failed to read key '${full}': ${errText(err)}`);
        continue;
      }
      const node = key.slice(0, outAt);
      events.push(value.length === 0 ? { kind: 'heartbeat', node } : { kind: 'output', node, output: Buffer.from(value).toString('utf8') });
    }
  }
}

/** Consul's waitForJob: prints results until `wait` (twice that while acknowledged nodes are still running) passes quietly. */
async function waitForJob(client: Consul, ui: Ui, conf: ExecConf, sessionId: string, shutdown: AbortSignal): Promise<number> {
  const start = Date.now();
  const events = new JobEvents();
  const stop = new AbortController();
  const onShutdown = (): void => stop.abort();
  shutdown.addEventListener('abort', onShutdown, { once: true });
  const dir = `${joinKey(conf.prefix, sessionId)}/`;
  const streaming = streamResults(client, ui, dir, conf.waitMs, events, stop.signal);
  let ackCount = 0;
  let exitCount = 0;
  let badExit = 0;
  try {
    for (;;) {
      const waitMs = ackCount > exitCount ? conf.waitMs * 2 : conf.waitMs;
      const e = await events.next(waitMs, stop.signal);
      if (shutdown.aborted) return 1;
      if (!e) {
        ui.info(`${exitCount} / ${ackCount} node(s) completed / acknowledged`);
        if (conf.verbose) ui.info(`Completed in ${((Date.now() - start) / 1000).toFixed(2)} seconds`);
        if (exitCount < ackCount) badExit++;
        break;
      }
      switch (e.kind) {
        case 'ack':
          ackCount++;
          if (conf.verbose) ui.info(targeted(e.node, 'acknowledged', true));
          break;
        case 'heartbeat':
          if (conf.verbose) ui.info(targeted(e.node, 'heartbeat received', true));
          break;
        case 'output':
          ui.output(targeted(e.node, e.output, false));
          break;
        case 'exit':
          exitCount++;
          ui.info(targeted(e.node, `finished with exit code ${e.code}`, true));
          if (e.code !== 0) badExit++;
          break;
        case 'error':
          return 1;
      }
    }
  } finally {
    shutdown.removeEventListener('abort', onShutdown);
    stop.abort();
    await streaming;
  }
  return badExit > 0 ? 2 : 0;
}

/** Go's path.Join for KV paths: empty parts dropped, slashes collapsed, no trailing slash. */
function joinKey(...parts: string[]): string {
  return parts.join('/').split('/').filter((p) => p !== '' && p !== '.').join('/');
}

/** The session the job and results hang on: on the local agent's node, or a server's of a foreign datacenter. */
async function createSession(client: Consul, ui: Ui, conf: ExecConf, foreign: { dc: string; localNode: string; localDc: string } | undefined): Promise<string> {
  if (!foreign) return client.session.create({ Name: 'Remote Exec', Behavior: 'delete', TTL: SESSION_TTL });
  let node: string | undefined;
  try {
    node = (await client.health.service('consul', { passing: true })).data[0]?.Node.Node;
  } catch (err) {
    throw new Error(`Failed to find Consul server in remote datacenter: ${errText(err)}`);
  }
  if (!node) throw new Error('Failed to find Consul server in remote datacenter');
  if (conf.verbose) ui.info(`Binding session to remote node ${node}@${foreign.dc}`);
  return client.session.create({ Name: `Remote Exec via ${foreign.localNode}@${foreign.localDc}`, Node: node, Checks: [], Behavior: 'delete', TTL: SESSION_TTL });
}

export const exec: Command = {
  synopsis: 'Executes a command on Consul nodes',
  help: `Usage: proconsul exec [options] [-|command...]

  Evaluates a command on remote Consul nodes. The nodes responding can
  be filtered using regular expressions on node name, service, and tag
  definitions. If a command is '-', stdin will be read until EOF
  and used as a script input.`,
  flags: () =>
    new FlagSet([
      { name: 'node', kind: 'string', usage: 'Regular expression to filter on node names.' },
      { name: 'service', kind: 'string', usage: 'Regular expression to filter on service instances.' },
      { name: 'tag', kind: 'string', usage: 'Regular expression to filter on service tags. Must be used with -service.' },
      { name: 'prefix', kind: 'string', default: REXEC_PREFIX, usage: 'Prefix in the KV store to use for request data.' },
      { name: 'shell', kind: 'bool', default: true, usage: 'Use a shell to run the command.' },
      { name: 'wait', kind: 'string', default: QUIET_WAIT, usage: 'Period to wait with no responses before terminating execution.' },
      { name: 'wait-repl', kind: 'string', default: REPLICATION_WAIT, usage: 'Period to wait for replication before firing event. This is an optimization to allow stale reads to be performed.' },
      { name: 'verbose', kind: 'bool', usage: 'Enables verbose output.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const waitMs = durationFlag(f.string('wait'), 'wait');
    const replWaitMs = durationFlag(f.string('wait-repl'), 'wait-repl');
    for (const v of [waitMs, replWaitMs]) {
      if (typeof v === 'string') {
        ui.error(v);
        return 1;
      }
    }
    const conf: ExecConf = {
      prefix: f.string('prefix'),
      node: f.string('node'),
      service: f.string('service'),
      tag: f.string('tag'),
      waitMs: waitMs as number,
      replWaitMs: replWaitMs as number,
      verbose: f.bool('verbose'),
      cmd: f.args.join(' '),
      args: [],
      script: new Uint8Array(0),
    };
    const shell = f.bool('shell');
    if (conf.cmd === '-') {
      if (!shell) {
        ui.error('Cannot configure -shell=false when reading from stdin');
        return 1;
      }
      conf.cmd = '';
      try {
        conf.script = await ui.io.readStdin();
      } catch (err) {
        ui.error(`Failed to read stdin: ${errText(err)}`);
        ui.error('');
        ui.error(helpText(exec));
        return 1;
      }
    } else if (!shell) {
      conf.cmd = '';
      conf.args = [...f.args];
    }
    if (conf.cmd === '' && conf.script.length === 0 && conf.args.length === 0) {
      ui.error('Must specify a command to execute');
      ui.error('');
      ui.error(helpText(exec));
      return 1;
    }
    const invalid = filtersError(conf.node, conf.service, conf.tag);
    if (invalid) {
      ui.error(invalid);
      return 1;
    }

    const client = apiClient(f, ui);
    if (!client) return 1;
    let self: Awaited<ReturnType<Consul['agent']['self']>>;
    try {
      self = await client.agent.self();
    } catch (err) {
      ui.error(`Error querying Consul agent: ${errText(err)}`);
      return 1;
    }
    const dc = client.http.datacenter ?? '';
    let foreign: { dc: string; localNode: string; localDc: string } | undefined;
    if (dc !== '' && dc !== self.Config.Datacenter) {
      if (conf.verbose) ui.info('Remote exec in foreign datacenter, using Session TTL');
      foreign = { dc, localNode: self.Config.NodeName, localDc: self.Config.Datacenter };
    }

    const shutdown = new AbortController();
    const onSignal = (): void => shutdown.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let sessionId = '';
    let renewTimer: NodeJS.Timeout | undefined;
    let uploaded = false;
    const destroySession = async (): Promise<void> => {
      clearInterval(renewTimer);
      renewTimer = undefined;
      await client.session.destroy(sessionId).catch(() => undefined);
    };
    try {
      try {
        sessionId = await createSession(client, ui, conf, foreign);
      } catch (err) {
        ui.error(`Failed to create session: ${errText(err)}`);
        return 1;
      }
      // The session is renewed for as long as the command runs (Consul's renewSession).
      renewTimer = setInterval(() => {
        client.session.renew(sessionId).catch((err: unknown) => {
          ui.error(`Session renew failed: ${errText(err)}`);
          clearInterval(renewTimer);
        });
      }, RENEW_INTERVAL_MS);
      if (conf.verbose) ui.info(`Created remote execution session: ${sessionId}`);

      const jobKey = joinKey(conf.prefix, sessionId, JOB_KEY);
      try {
        if (!(await client.kv.acquire(jobKey, jobSpec(conf), sessionId))) throw new Error(`failed to acquire key ${jobKey}`);
      } catch (err) {
        ui.error(`Failed to create job file: ${errText(err)}`);
        return 1;
      }
      uploaded = true;
      if (conf.verbose) ui.info('Uploaded remote execution spec');

      // Give the job time to replicate, so the agents' stale reads find it.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, conf.replWaitMs);
        shutdown.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      if (shutdown.signal.aborted) return 1;

      let eventId: string;
      try {
        const payload = JSON.stringify({ Prefix: conf.prefix, Session: sessionId });
        const fired = await client.event.fire('_rexec', payload, { node: conf.node || undefined, service: conf.service || undefined, tag: conf.tag || undefined });
        eventId = fired.ID;
      } catch (err) {
        ui.error(`Failed to fire event: ${errText(err)}`);
        return 1;
      }
      if (conf.verbose) ui.info(`Fired remote execution event: ${eventId}`);
      try {
        return await waitForJob(client, ui, conf, sessionId, shutdown.signal);
      } finally {
        // Invalidating the session first makes every later agent write fail (acquire needs it).
        await destroySession();
      }
    } finally {
      if (uploaded) await client.kv.deleteTree(joinKey(conf.prefix, sessionId)).catch(() => undefined);
      if (sessionId !== '') await destroySession();
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  },
};
