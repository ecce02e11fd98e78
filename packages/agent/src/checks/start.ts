/** Starting a check from its definition: picks the runner and wires thresholds and limits. */
import { CheckDefinitionError } from './errors.js';
import { toCheckSpec } from './definition.js';
import { probeHttp } from './http.js';
import { startIntervalLoop, type Probe } from './interval.js';
import { effectiveOutputMaxSize } from './output.js';
import type { CheckRunOptions, CheckRunner, TtlCheck } from './runner.js';
import { probeScript } from './script.js';
import { probeTcp } from './tcp.js';
import { probeUdp } from './udp.js';
import { probeDocker } from './docker.js';
import { probeGrpc } from './grpc.js';
import { probeH2Ping } from './h2ping.js';
import { StatusHandler } from './thresholds.js';
import { createTtlCheck } from './ttl.js';
import type { CheckSpec, CheckType } from './types.js';

function isSpec(check: CheckType | CheckSpec): check is CheckSpec {
  return typeof (check as CheckSpec).kind === 'string' && typeof (check as CheckSpec).intervalMs === 'number';
}

function specOf(check: CheckType | CheckSpec): CheckSpec {
  return isSpec(check) ? check : toCheckSpec(check);
}

/**
 * Starts a check: http/tcp/script run promptly (a random stagger under 1 s), then every
 * Interval after the previous run ends; ttl waits for updates. Accepts a CheckType
 * (validated here; throws CheckDefinitionError) or a CheckSpec.
 * Script checks are run as given: call assertScriptChecksAllowed first.
 */
export function startCheck(check: CheckType | CheckSpec, options: CheckRunOptions): CheckRunner {
  const spec = specOf(check);
  const maxOutput = effectiveOutputMaxSize(spec.outputMaxSize, options.agentOutputMaxSize);
  if (spec.kind === 'ttl') return startTtlCheck(spec, options);

  let probe: Probe;
  if (spec.kind === 'http' && spec.http !== undefined) {
    const http = spec.http;
    probe = (signal) => probeHttp(http, maxOutput, signal);
  } else if (spec.kind === 'tcp' && spec.tcp !== undefined) {
    const address = spec.tcp;
    probe = (signal) => probeTcp(address, signal);
  } else if (spec.kind === 'udp' && spec.udp !== undefined) {
    const address = spec.udp;
    probe = (signal) => probeUdp(address, signal);
  } else if (spec.kind === 'grpc' && spec.grpc !== undefined) {
    const target = spec.grpc;
    probe = (signal) => probeGrpc(target, signal);
  } else if (spec.kind === 'h2ping' && spec.h2ping !== undefined) {
    const target = spec.h2ping;
    probe = (signal) => probeH2Ping(target, signal);
  } else if (spec.kind === 'docker' && spec.args !== undefined && spec.dockerContainerId !== undefined) {
    const [id, args] = [spec.dockerContainerId, spec.args];
    probe = (signal) => probeDocker(id, args, maxOutput, signal);
  } else if (spec.kind === 'script' && spec.args !== undefined) {
    const args = spec.args;
    // The loop's own deadline fires at the same moment and kills the process group.
    probe = (signal) => probeScript(args, spec.timeoutMs, maxOutput, signal);
  } else {
    throw new CheckDefinitionError(`check spec of kind ${spec.kind} has no target`);
  }

  const handler = new StatusHandler(spec, (status, output) => options.onUpdate(status, output));
  const loop = startIntervalLoop(probe, {
    intervalMs: spec.intervalMs,
    timeoutMs: spec.timeoutMs,
    ...(options.initialDelayMs !== undefined ? { initialDelayMs: options.initialDelayMs } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    onResult: (result) => {
      options.logger?.debug({ kind: spec.kind, status: result.status }, 'check result');
      handler.update(result.status, result.output);
    },
  });
  return { kind: spec.kind, stop: () => loop.stop() };
}

/** Starts a ttl check (the definition must be a ttl check). */
export function startTtlCheck(check: CheckType | CheckSpec, options: CheckRunOptions): TtlCheck {
  const spec = specOf(check);
  if (spec.kind !== 'ttl') throw new CheckDefinitionError(`not a TTL check: ${spec.kind}`);
  return createTtlCheck({
    ttlMs: spec.ttlMs,
    outputMaxSize: effectiveOutputMaxSize(spec.outputMaxSize, options.agentOutputMaxSize),
    onUpdate: options.onUpdate,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  });
}
