// Remote execution, the agent's side (Consul's agent/remote_exec.go and ingestUserEvent in
// agent/user_event.go). `proconsul exec` stores a job at <prefix>/<session>/job and fires a
// `_rexec` user event whose payload names the prefix and the session. An agent the event reaches
// (it passed the node/service/tag filters) and that runs with disable_remote_exec = false reads
// the job, writes <prefix>/<session>/<node>/ack, runs the command, writes its output in chunks to
// .../<node>/out/<%05x> (an empty chunk as a heartbeat when it is quiet for the job's Wait) and
// last .../<node>/exit. Every write is a lock acquire with the exec's session, so nothing can be
// written once the CLI has destroyed it, and goes to the servers with the agent's token.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentCallToken } from '../acl/agent-tokens.js';
import type { AgentContext } from '../context.js';
import type { Logger } from '../log.js';
import { OutputChunker } from './remote-exec-output.js';
import type { UserEvent } from './user-events.js';

/** Consul's remoteExecFileName, remoteExecAckSuffix, remoteExecExitSuffix, remoteExecOutputDivider. */
const JOB_KEY = 'job';
const ACK_SUFFIX = 'ack';
const EXIT_SUFFIX = 'exit';
const OUTPUT_DIVIDER = 'out';

/** Consul's rexecWriter BufCh: chunks waiting for their KV write before the process is held back. */
const PENDING_CHUNKS_MAX = 16;
/** How long one KV read or write through the servers may take. */
const KV_TIMEOUT_MS = 30_000;

/** The event payload (Consul's remoteExecEvent). */
export interface RemoteExecEvent {
  Prefix: string;
  Session: string;
}

/** The job stored in KV (Consul's remoteExecSpec): Script is base64 bytes, Wait nanoseconds. */
export interface RemoteExecSpec {
  Command?: string;
  Args?: string[];
  Script?: string;
  Wait?: number;
}

/** The KV operations the handler needs (Consul's KVS.Get and KVS.Apply with Op lock). */
export interface RemoteExecKV {
  /** The value at `key`, null when there is none. */
  get(key: string, stale: boolean): Promise<Buffer | null>;
  /** `?acquire=session`: false when the lock was not granted (the session is gone). */
  acquire(key: string, value: Buffer, session: string): Promise<boolean>;
}

/** Go's path.Join: the parts joined by `/` and cleaned (empty and `.` parts dropped, `..` applied). */
export function joinKey(...parts: string[]): string {
  const rooted = parts.find((p) => p !== '')?.startsWith('/') ?? false;
  const out: string[] = [];
  for (const seg of parts.join('/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(seg);
  }
  return (rooted ? '/' : '') + out.join('/');
}

/** The event's payload, or undefined when it is not a remote exec payload. */
export function decodeRemoteExecEvent(payload: string | null): RemoteExecEvent | undefined {
  try {
    const v = JSON.parse(Buffer.from(payload ?? '', 'base64').toString('utf8')) as Partial<RemoteExecEvent> | null;
    if (typeof v?.Prefix !== 'string' || typeof v.Session !== 'string') return undefined;
    return { Prefix: v.Prefix, Session: v.Session };
  } catch {
    return undefined;
  }
}

function decodeSpec(value: Buffer): RemoteExecSpec {
  const v = JSON.parse(value.toString('utf8')) as Record<string, unknown> | null;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('json: cannot unmarshal into remoteExecSpec');
  const spec: RemoteExecSpec = {};
  if (typeof v['Command'] === 'string') spec.Command = v['Command'];
  if (Array.isArray(v['Args'])) spec.Args = v['Args'].map(String);
  if (typeof v['Script'] === 'string') spec.Script = v['Script'];
  if (typeof v['Wait'] === 'number') spec.Wait = v['Wait'];
  return spec;
}

export interface RemoteExecDeps {
  nodeName: string;
  kv: RemoteExecKV;
  log: Logger;
}

/** Runs one remote exec to its end (Consul's handleRemoteExec); never throws. */
export async function handleRemoteExec(event: UserEvent, deps: RemoteExecDeps): Promise<void> {
  const { kv, log } = deps;
  log.debug({ id: event.ID }, 'received remote exec event');
  const rexec = decodeRemoteExecEvent(event.Payload);
  if (!rexec) {
    log.error({ id: event.ID }, 'failed to decode remote exec event');
    return;
  }
  const spec = await getSpec(rexec, deps);
  if (!spec) return;
  const writeKey = async (suffix: string, value: Buffer): Promise<void> => {
    const ok = await kv.acquire(joinKey(rexec.Prefix, rexec.Session, deps.nodeName, suffix), value, rexec.Session);
    if (!ok) throw new Error('write failed');
  };
  try {
    await writeKey(ACK_SUFFIX, Buffer.alloc(0));
  } catch (err) {
    log.error({ error: (err as Error).message }, 'failed to ack remote exec job');
    return;
  }
  let exitCode = 0;
  try {
    exitCode = await runJob(spec, writeKey, log);
  } finally {
    try {
      await writeKey(EXIT_SUFFIX, Buffer.from(String(exitCode)));
    } catch (err) {
      log.error({ error: (err as Error).message }, 'failed to write exit code for remote exec job');
    }
  }
}

/** Reads the job: a stale read first (the CLI waited for replication), then a consistent one. */
async function getSpec(rexec: RemoteExecEvent, deps: RemoteExecDeps): Promise<RemoteExecSpec | undefined> {
  const key = joinKey(rexec.Prefix, rexec.Session, JOB_KEY);
  let value: Buffer | null;
  try {
    value = await deps.kv.get(key, true);
    if (value === null) {
      deps.log.debug('trying consistent fetch of remote exec job spec');
      value = await deps.kv.get(key, false);
    }
  } catch (err) {
    deps.log.error({ error: (err as Error).message }, 'failed to get remote exec job');
    return undefined;
  }
  if (value === null) {
    deps.log.debug('remote exec aborted, job spec missing');
    return undefined;
  }
  try {
    return decodeSpec(value);
  } catch (err) {
    deps.log.error({ error: (err as Error).message }, 'failed to decode remote exec spec');
    return undefined;
  }
}

/** Starts the job's process: Args directly, else the command (or the spilled script) by $SHELL -c. */
function startProcess(spec: RemoteExecSpec, script: string): ChildProcess {
  const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
  if (spec.Args && spec.Args.length > 0) return spawn(spec.Args[0]!, spec.Args.slice(1), { stdio });
  // Consul's exec.Script: $SHELL, else /bin/sh.
  return spawn(process.env['SHELL'] || '/bin/sh', ['-c', script], { stdio });
}

/** Runs the job and uploads its output; resolves with the exit code (255: it could not run or upload). */
async function runJob(spec: RemoteExecSpec, writeKey: (suffix: string, value: Buffer) => Promise<void>, log: Logger): Promise<number> {
  // A script (the CLI's `-`) is spilled to a file of its own that the shell runs.
  let scriptDir: string | undefined;
  let script = spec.Command ?? '';
  try {
    if (spec.Script) {
      try {
        scriptDir = await mkdtemp(join(tmpdir(), 'rexec'));
        script = join(scriptDir, 'script');
        await writeFile(script, Buffer.from(spec.Script, 'base64'));
        await chmod(script, 0o750);
      } catch (err) {
        log.debug({ error: (err as Error).message }, 'failed to make tmp file');
        return 255;
      }
    }
    log.info({ script }, 'remote exec');
    return await streamProcess(spec, script, writeKey, log);
  } finally {
    if (scriptDir) await rm(scriptDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function streamProcess(spec: RemoteExecSpec, script: string, writeKey: (suffix: string, value: Buffer) => Promise<void>, log: Logger): Promise<number> {
  let child: ChildProcess;
  try {
    child = startProcess(spec, script);
  } catch (err) {
    log.debug({ error: (err as Error).message }, 'failed to start remote exec');
    return 255;
  }
  const pending: Buffer[] = [];
  let ended = false;
  let cancelled = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const streams = [child.stdout!, child.stderr!];
  const chunker = new OutputChunker((chunk) => {
    if (cancelled) return;
    pending.push(chunk);
    // Hold the process back while its output waits for the KV (Consul's BufCh blocks Write).
    if (pending.length >= PENDING_CHUNKS_MAX) for (const s of streams) s.pause();
    notify();
  });
  for (const s of streams) s.on('data', (d: Buffer) => chunker.write(d));
  const exited = new Promise<number>((resolve) => {
    let startError = false;
    child.once('error', (err) => {
      startError = true;
      log.debug({ error: err.message }, 'failed to start remote exec');
      resolve(255);
    });
    child.once('close', (code, signal) => {
      if (startError) return;
      // Go's WaitStatus.ExitStatus: -1 for a process ended by a signal.
      resolve(code ?? (signal ? -1 : 1));
    });
  });
  void exited.then(() => {
    chunker.flush();
    ended = true;
    notify();
  });
  // Heartbeats every Wait of silence; a job without one (Wait <= 0) sends none rather than spin.
  const waitMs = (spec.Wait ?? 0) / 1e6;
  for (let num = 0; ; num++) {
    if (pending.length === 0 && !ended) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (waitMs > 0) timer = setTimeout(resolve, waitMs);
      });
      clearTimeout(timer);
      wake = undefined;
    }
    const chunk = pending.shift();
    if (chunk === undefined && ended) break;
    if (pending.length < PENDING_CHUNKS_MAX) for (const s of streams) s.resume();
    try {
      await writeKey(`${OUTPUT_DIVIDER}/${num.toString(16).padStart(5, '0')}`, chunk ?? Buffer.alloc(0));
    } catch (err) {
      // As Consul: stop uploading and report 255; the process is left to finish on its own.
      log.error({ error: (err as Error).message }, 'failed to write output for remote exec job');
      cancelled = true;
      pending.length = 0;
      for (const s of streams) s.resume();
      return 255;
    }
  }
  return exited;
}

/** The KV seen through this agent's servers with its agent token (Consul's a.RPC with AgentToken). */
export function clusterKV(ctx: AgentContext): RemoteExecKV {
  const headers = (): Record<string, string> => {
    const token = agentCallToken(ctx.config.acl);
    return token ? { 'x-consul-token': token } : {};
  };
  const path = (key: string): string => `/v1/kv/${key.split('/').map(encodeURIComponent).join('/')}`;
  return {
    async get(key, stale) {
      const res = await ctx.cluster.forward({ method: 'GET', url: `${path(key)}${stale ? '?stale' : ''}`, headers: headers() }, KV_TIMEOUT_MS);
      if (res.status === 404) return null;
      const text = Buffer.from(res.body).toString('utf8');
      if (res.status !== 200) throw new Error(`Unexpected response code: ${res.status} (${text})`);
      const entries = JSON.parse(text) as Array<{ Value: string | null }>;
      return entries[0] ? Buffer.from(entries[0].Value ?? '', 'base64') : null;
    },
    async acquire(key, value, session) {
      const res = await ctx.cluster.forward(
        { method: 'PUT', url: `${path(key)}?acquire=${encodeURIComponent(session)}`, headers: { ...headers(), 'content-type': 'application/octet-stream' }, body: value },
        KV_TIMEOUT_MS,
      );
      const text = Buffer.from(res.body).toString('utf8');
      if (res.status !== 200) throw new Error(`Unexpected response code: ${res.status} (${text})`);
      return text.trim() === 'true';
    },
  };
}

/**
 * What the agent does with a `_rexec` event that passed its filters (Consul's ingestUserEvent):
 * with disable_remote_exec it logs and ignores it, else it runs the job in the background.
 */
/** Runs one `_rexec` job on this agent (remote-exec-handler.ts has checked that remote exec is on). */
export function runRemoteExec(ctx: AgentContext, event: UserEvent): Promise<void> {
  return handleRemoteExec(event, { nodeName: ctx.config.nodeName, kv: clusterKV(ctx), log: ctx.log.agent });
}
