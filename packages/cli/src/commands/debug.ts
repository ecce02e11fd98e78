/**
 * `proconsul debug`: Consul 1.17's `consul debug` (command/debug/debug.go). Records a support
 * bundle from one agent over HTTP: agent.json, host.json, members.json and index.json, the
 * agent's log (consul.log) and metrics (metrics.json) for -duration, then a .tar.gz of it all.
 *
 * pprof: Consul skips it with a warning when the agent's DebugConfig.EnableDebug is false. A
 * Proconsul agent always says false (Node has no Go profiling endpoints), so it is skipped;
 * against a Consul agent with enable_debug it is fetched from /debug/pprof as Consul does.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Consul } from '@proconsul/api';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText } from '../http-flags.js';
import { Ui } from '../io.js';

const INTERVAL_DEFAULT_MS = 30_000;
const DURATION_DEFAULT_MS = 5 * 60_000;
/** Added to -duration so that the last interval is captured within it. */
const DURATION_GRACE_MS = 2_000;
/** Below this, -interval could flood the agent. */
const INTERVAL_MIN_MS = 5_000;
const DURATION_MIN_MS = 10_000;
const ARCHIVE_EXTENSION = '.tar.gz';
/** debugProtocolVersion: the bundle layout's version in index.json. */
const PROTOCOL_VERSION = 1;

export const DEFAULT_TARGETS = ['metrics', 'logs', 'pprof', 'host', 'agent', 'members'] as const;
/** `cluster` is the old name of `members`. */
const DEPRECATED_TARGETS = ['cluster'];

/** mitchellh/cli's PrefixedUi as `consul debug` sets it up: Output and Error get "==> ", Info "    ". */
class PrefixedUi extends Ui {
  override output(text: string): void {
    super.output(text === '' ? text : `==> ${text}`);
  }
  override info(text: string): void {
    super.output(text === '' ? text : `    ${text}`);
  }
  override error(text: string): void {
    super.error(text === '' ? text : `==> ${text}`);
  }
  override warn(text: string): void {
    super.error(text);
  }
}

/** Go's Duration.String() (`@proconsul/catalog`, loaded only when this command runs). */
type GoDurationText = (ms: number) => string;

/** prepare()'s timing checks; Consul's text, including its naming the minimum duration for -interval. */
export function timingError(durationMs: number, intervalMs: number, formatGoDuration: GoDurationText): string | undefined {
  if (durationMs < DURATION_MIN_MS) return `duration must be longer than ${formatGoDuration(DURATION_MIN_MS)}`;
  if (intervalMs < INTERVAL_MIN_MS) return `interval must be longer than ${formatGoDuration(DURATION_MIN_MS)}`;
  if (durationMs < intervalMs) return `duration (${formatGoDuration(durationMs)}) must be longer than interval (${formatGoDuration(intervalMs)})`;
  return undefined;
}

/**
 * The targets to capture: all by default; pprof dropped (one warning per mention) when the
 * agent has debugging off; an unknown name is an error.
 */
export function selectTargets(requested: string[], enableDebug: boolean): { targets: string[]; warnings: string[]; error?: string } {
  let targets = requested.length === 0 ? [...DEFAULT_TARGETS] : [...requested];
  const warnings: string[] = [];
  if (!enableDebug) {
    for (const t of targets) if (t === 'pprof') warnings.push('[WARN] Unable to capture pprof. Set enable_debug to true on target agent to enable profiling.');
    targets = targets.filter((t) => t !== 'pprof');
  }
  const unknown = targets.find((t) => !(DEFAULT_TARGETS as readonly string[]).includes(t) && !DEPRECATED_TARGETS.includes(t));
  return unknown === undefined ? { targets, warnings } : { targets, warnings, error: `target not found: ${unknown}` };
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Go's time format "2006-01-02T15-04-05Z0700" (colons would make tar read a remote host) in local time. */
export function fileTimestamp(date: Date): string {
  const offsetMin = -date.getTimezoneOffset();
  const abs = Math.abs(offsetMin);
  const zone = offsetMin === 0 ? 'Z' : `${offsetMin < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}T${pad2(date.getHours())}-${pad2(date.getMinutes())}-${pad2(date.getSeconds())}${zone}`;
}

/** Go's Time.String() of a UTC time, at millisecond precision: "2024-05-01 10:00:00.25 +0000 UTC". */
export function goUtcString(date: Date): string {
  const iso = date.toISOString(); // 2024-05-01T10:00:00.250Z
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC`;
}

/** Go's json escaping of <, >, & and the JS line separators, which JSON.stringify leaves as they are. */
function goJsonEscape(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A decoded JSON value with object keys sorted, as Go marshals a map[string]interface{}. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

/** writeJSONFile: json.MarshalIndent(v, "", "\t"), no trailing newline. */
async function writeJsonFile(file: string, v: unknown): Promise<void> {
  await writeFile(file, goJsonEscape(JSON.stringify(v ?? null, null, '\t')), { mode: 0o644 });
}

/** go-multierror's text, as "Static capture failed: ..." shows it. */
function multiError(errs: string[]): string {
  const points = errs.map((e) => `\t* ${e}`).join('\n');
  return `${errs.length} error${errs.length === 1 ? '' : 's'} occurred:\n${points}\n\n`;
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

interface Capture {
  client: Consul;
  ui: Ui;
  output: string;
  intervalMs: number;
  /** -duration plus the grace period. */
  durationMs: number;
  targets: string[];
  /** Aborted by SIGINT/SIGTERM. */
  shutdown: AbortSignal;
}

function captures(c: Capture, target: string): boolean {
  return c.targets.includes(target) || (target === 'members' && c.targets.includes('cluster'));
}

async function captureStatic(c: Capture): Promise<void> {
  const errs: string[] = [];
  const get = async (target: string, fetch: () => Promise<unknown>): Promise<void> => {
    if (!captures(c, target)) return;
    let v: unknown = null;
    try {
      v = await fetch();
    } catch (err) {
      errs.push(errText(err));
    }
    try {
      await writeJsonFile(join(c.output, `${target}.json`), v);
    } catch (err) {
      errs.push(errText(err));
    }
  };
  // Host and self are maps in Go's client (sorted keys); members are structs (field order).
  await get('host', async () => sortKeys((await c.client.http.json({ method: 'GET', path: '/agent/host' })).data));
  await get('agent', async () => sortKeys(await c.client.agent.self()));
  await get('members', () => c.client.agent.members({ wan: true }));
  if (errs.length > 0) c.ui.warn(`Static capture failed: ${multiError(errs)}`);
}

/** GET /debug/pprof/<name> (outside /v1) with the client's address and token. */
async function pprof(c: Capture, name: string, seconds?: number): Promise<Buffer> {
  const url = `${c.client.http.address.baseUrl}/debug/pprof/${name}${seconds === undefined ? '' : `?seconds=${seconds}`}`;
  const res = await fetch(url, { headers: c.client.http.token ? { 'X-Consul-Token': c.client.http.token } : {}, signal: c.shutdown });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`Unexpected response code: ${res.status} (${body.toString('utf8').trim()})`);
  return body;
}

/** captureShortLived: heap and goroutine profiles into a directory named for this interval. */
async function captureShortLived(c: Capture): Promise<void> {
  if (!captures(c, 'pprof')) return;
  const dir = join(c.output, fileTimestamp(new Date()));
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw new Error(`failed to create output directory ${dir}: ${errText(err)}`);
  }
  await Promise.all([
    pprof(c, 'heap').then((b) => writeFile(join(dir, 'heap.prof'), b), (err) => { throw new Error(`failed to collect heap profile: ${errText(err)}`); }),
    pprof(c, 'goroutine').then((b) => writeFile(join(dir, 'goroutine.prof'), b), (err) => { throw new Error(`failed to collect goroutine profile: ${errText(err)}`); }),
  ]);
}

/** captureInterval: the short-lived captures now and every -interval until -duration has passed. */
async function captureInterval(c: Capture): Promise<void> {
  const startMs = Date.now();
  let count = 0;
  c.ui.output(`Beginning capture interval ${goUtcString(new Date())} (${count})`);
  await captureShortLived(c);
  c.ui.output(`Capture successful ${goUtcString(new Date())} (${count})`);
  for (let tickMs = startMs + c.intervalMs; tickMs < startMs + c.durationMs; tickMs += c.intervalMs) {
    await sleep(tickMs - Date.now(), c.shutdown);
    if (c.shutdown.aborted) throw new Error('stopping collection due to shutdown signal');
    count++;
    await captureShortLived(c);
    c.ui.output(`Capture successful ${goUtcString(new Date(tickMs))} (${count})`);
  }
  await sleep(startMs + c.durationMs - Date.now(), c.shutdown);
  if (c.shutdown.aborted) throw new Error('stopping collection due to shutdown signal');
}

/** captureLogs: the agent's log at TRACE into consul.log for the duration. */
async function captureLogs(c: Capture, stop: AbortSignal): Promise<void> {
  const lines = await c.client.agent.monitor('TRACE', { signal: stop });
  const out = createWriteStream(join(c.output, 'consul.log'), { mode: 0o644 });
  const closed = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
  });
  try {
    for await (const line of lines) out.write(`${line}\n`);
  } catch (err) {
    if (!stop.aborted) throw err;
  } finally {
    out.end();
  }
  await closed;
}

/** metrics.json: GET /v1/agent/metrics/stream copied as it comes for the duration (a summary every 10 s). */
async function captureMetrics(c: Capture, stop: AbortSignal): Promise<void> {
  const fh = await open(join(c.output, 'metrics.json'), 'w', 0o644);
  try {
    const lines = await c.client.agent.metricsStream({ signal: stop });
    for await (const line of lines) await fh.write(`${line}\n`);
  } catch (err) {
    if (!stop.aborted) throw new Error(`failed to copy metrics to file: ${errText(err)}`);
  } finally {
    await fh.close();
  }
}

/** captureLongRunning: logs, metrics and (when on) the CPU profile and trace, for the duration. */
async function captureLongRunning(c: Capture): Promise<void> {
  // A plain timer, not AbortSignal.timeout/any: Node may collect those signals before they fire.
  const stop = new AbortController();
  const end = () => stop.abort();
  const timer = setTimeout(end, c.durationMs);
  c.shutdown.addEventListener('abort', end);
  const timeout = stop.signal;
  const tasks: Array<Promise<void>> = [];
  if (captures(c, 'pprof')) {
    const save = (name: string, file: string, seconds: number) =>
      pprof(c, name, seconds).then(
        (b) => writeFile(join(c.output, file), b),
        (err) => { throw new Error(`failed to collect cpu profile: ${errText(err)}`); },
      );
    tasks.push(save('profile', 'profile.prof', Math.trunc(c.durationMs / 1000)), save('trace', 'trace.out', Math.trunc(c.intervalMs / 1000)));
  }
  if (captures(c, 'logs')) tasks.push(captureLogs(c, timeout));
  if (captures(c, 'metrics')) tasks.push(captureMetrics(c, timeout));
  try {
    await firstError(tasks);
  } finally {
    clearTimeout(timer);
    c.shutdown.removeEventListener('abort', end);
  }
}

/** errgroup's Wait: all tasks finish; the first error is the result. */
async function firstError(tasks: Array<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Entries for the archive: the directory walked in lexical order, under its base name. */
async function walk(root: string, rel = ''): Promise<Array<{ name: string; path: string; dir: boolean }>> {
  const path = join(root, rel);
  const name = rel === '' ? basename(root) : join(basename(root), rel);
  if (!(await stat(path)).isDirectory()) return [{ name, path, dir: false }];
  const out = [{ name, path, dir: true }];
  for (const child of (await readdir(path)).sort()) out.push(...(await walk(root, join(rel, child))));
  return out;
}

/** createArchive: <output>.tar.gz through a temporary file and a rename, then the directory removed. */
async function createArchive(output: string): Promise<void> {
  const { writeTar } = await import('@proconsul/agent/snapshot');
  const path = output + ARCHIVE_EXTENSION;
  const entries = await Promise.all(
    (await walk(output)).map(async (e) => ({ name: e.name, dir: e.dir, data: e.dir ? Buffer.alloc(0) : await readFile(e.path) })),
  );
  const temp = join(dirname(path), `${basename(path)}.tmp${process.pid}`);
  try {
    await writeFile(temp, gzipSync(writeTar(entries)), { mode: 0o644 });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  try {
    await rm(output, { recursive: true, force: true });
  } catch (err) {
    throw new Error(`failed to remove archived directory: ${errText(err)}`);
  }
}

/** A -interval or -duration value; Go's flag package says "parse error" for a bad one. */
function durationFlag(f: { set: Set<string>; string(n: string): string }, name: string, defMs: number, parseGoDuration: (s: string) => number): number | string {
  if (!f.set.has(name)) return defMs;
  const v = f.string(name);
  try {
    return parseGoDuration(v);
  } catch {
    return `invalid value "${v}" for flag -${name}: parse error`;
  }
}

/** prepare(): checks the settings and the agent, then creates the output directory. */
async function prepare(client: Consul, ui: Ui, o: { durationMs: number; intervalMs: number; capture: string[]; output: string; fmt: GoDurationText }): Promise<{ version: string; targets: string[] }> {
  const timing = timingError(o.durationMs, o.intervalMs, o.fmt);
  if (timing) throw new Error(timing);
  let self: Awaited<ReturnType<Consul['agent']['self']>>;
  try {
    self = await client.agent.self();
  } catch (err) {
    throw new Error(`error querying target agent: ${errText(err)}. verify connectivity and agent address`);
  }
  const version = (self.Config as unknown as Record<string, unknown>)['Version'];
  if (typeof version !== 'string') throw new Error('agent response did not contain version key');
  const enableDebug = self.DebugConfig?.['EnableDebug'];
  if (typeof enableDebug !== 'boolean') throw new Error('agent response did not contain EnableDebug key');
  const { targets, warnings, error } = selectTargets(o.capture, enableDebug);
  for (const w of warnings) ui.warn(w);
  if (error) throw new Error(error);
  if (await stat(o.output).then(() => true, () => false)) throw new Error(`output directory already exists: ${o.output}`);
  try {
    await mkdir(o.output, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw new Error(`could not create output directory: ${errText(err)}`);
  }
  return { version, targets };
}

export const debug: Command = {
  synopsis: 'Records a debugging archive for operators',
  help: `Usage: proconsul debug [options]

  Monitors a Consul agent for the specified period of time, recording
  information about the agent, cluster, and environment to an archive
  written to the specified path.

  If ACLs are enabled, an 'operator:read' token must be supplied in order
  to perform this operation.

  To create a debug archive in the current directory for the default
  duration and interval, capturing all information available:

      $ proconsul debug

  The command stores captured data at the configured output path
  through the duration, and will archive the data at the same
  path if interrupted.

  Flags can be used to customize the duration and interval of the
  operation. Duration is the total time to capture data for from the target
  agent and interval controls how often dynamic data such as metrics
  are scraped.

      $ proconsul debug -interval=20s -duration=1m

  The capture flag can be specified multiple times to limit information
  retrieved.

      $ proconsul debug -capture metrics -capture agent

  By default, the archive containing the debugging information is
  saved to the current directory as a .tar.gz file. The
  output path can be specified, as well as an option to disable
  archiving, leaving the directory intact.

      $ proconsul debug -output=/foo/bar/my-debugging -archive=false

  Note: Information collected by this command has the potential
  to be highly sensitive. Sensitive material such as ACL tokens and
  other commonly secret material are redacted automatically, but we
  strongly recommend review of the data within the archive prior to
  transmitting it.

  For a full list of options and examples, please see the Consul
  documentation.`,
  flags: () =>
    new FlagSet([
      { name: 'capture', kind: 'list', usage: `One or more types of information to capture. This can be used to capture a subset of information, and defaults to capturing everything available. Possible information for capture: ${DEFAULT_TARGETS.join(', ')}. This can be repeated multiple times.` },
      { name: 'interval', kind: 'string', usage: `The interval in which to capture dynamic information such as telemetry, and profiling. Defaults to 30s.` },
      { name: 'duration', kind: 'string', usage: `The total time to record information. Defaults to 5m0s.` },
      { name: 'archive', kind: 'bool', default: true, usage: 'Boolean value for if the files should be archived and compressed. Setting this to false will skip the archive step and leave the directory of information on the current path.' },
      { name: 'output', kind: 'string', usage: 'The path to the compressed archive that will be created with the information after collection.' },
    ]).merge(clientFlags()),
  async run(f, baseUi) {
    const ui = new PrefixedUi(baseUi.io);
    const { formatGoDuration, parseGoDuration } = await import('@proconsul/catalog');
    const defaultOutput = `consul-debug-${fileTimestamp(new Date())}`;
    for (const [name, defMs] of [['interval', INTERVAL_DEFAULT_MS], ['duration', DURATION_DEFAULT_MS]] as const) {
      const v = durationFlag(f, name, defMs, parseGoDuration);
      if (typeof v === 'string') {
        baseUi.error(v);
        ui.error(`Error parsing flags: ${v}`);
        return 1;
      }
    }
    const intervalMs = durationFlag(f, 'interval', INTERVAL_DEFAULT_MS, parseGoDuration) as number;
    const durationMs = durationFlag(f, 'duration', DURATION_DEFAULT_MS, parseGoDuration) as number;
    if (f.args.length > 0) {
      ui.error('debug: Too many arguments provided, expected 0');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const output = f.set.has('output') ? f.string('output') : defaultOutput;
    let prepared: { version: string; targets: string[] };
    try {
      prepared = await prepare(client, ui, { durationMs, intervalMs, capture: f.list('capture'), output, fmt: formatGoDuration });
    } catch (err) {
      ui.error(`Capture validation failed: ${errText(err)}`);
      return 1;
    }
    const archive = f.bool('archive');
    const archiveName = archive ? output + ARCHIVE_EXTENSION : output;
    ui.output('Starting debugger and capturing static information...');
    ui.info(` Agent Version: '${prepared.version}'`);
    ui.info(`      Interval: '${formatGoDuration(intervalMs)}'`);
    ui.info(`      Duration: '${formatGoDuration(durationMs)}'`);
    ui.info(`        Output: '${archiveName}'`);
    ui.info(`       Capture: '${prepared.targets.join(', ')}'`);

    const shutdown = new AbortController();
    const onSignal = () => shutdown.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const c: Capture = { client, ui, output, intervalMs, durationMs: durationMs + DURATION_GRACE_MS, targets: prepared.targets, shutdown: shutdown.signal };
    try {
      await captureStatic(c);
      if (captures(c, 'metrics') || captures(c, 'logs') || captures(c, 'pprof')) {
        try {
          await firstError([captureInterval(c), captureLongRunning(c)]);
        } catch (err) {
          ui.error(`Error encountered during collection: ${errText(err)}`);
        }
      }
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }

    const index = { Version: PROTOCOL_VERSION, AgentVersion: prepared.version, Interval: formatGoDuration(intervalMs), Duration: formatGoDuration(c.durationMs), Targets: prepared.targets };
    try {
      await writeJsonFile(join(output, 'index.json'), index);
    } catch (err) {
      ui.error(`Error creating index document: ${errText(err)}`);
      return 1;
    }
    if (archive) {
      try {
        await createArchive(output);
      } catch (err) {
        ui.warn(`Archive creation failed: ${errText(err)}`);
        return 1;
      }
    }
    ui.info(`Saved debug archive: ${archiveName}`);
    return 0;
  },
};
