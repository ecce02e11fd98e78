/**
 * A client agent's `auto_config { enabled = true }` (Consul's agent/auto-config/auto_config.go,
 * persist.go, server_addr.go): before the agent starts, its configuration comes from the servers.
 * The answer persisted in the data dir (`auto-config.json`) is used when present, so a restart
 * needs no intro token; else a key and a CSR are made, and `AutoConfig.InitialConfiguration` is
 * asked of each of `server_addresses` (port 8300 unless given) over RPCTLSInsecure, the server
 * verified against the CA file, retrying with a doubling wait until one answers. A persisted
 * certificate that has expired (or is about to) is fetched again with the intro token, as
 * Consul's fallback does. The answer is persisted, with the agent's private key, mode 0600.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { writeFileDurably } from '../durable-file.js';
import type { RpcTls } from '../tls/rpc-tls.js';
import { agentCsr, insecureRpcCall, sleep } from '../tls/auto-encrypt.js';
import type { AutoConfigRequest, AutoConfigResponse } from './response.js';

/** Consul's autoConfigFileName. */
export const AUTO_CONFIG_FILE = 'auto-config.json';
/** Consul's FallbackLeeway: a certificate this close to its end is fetched again. */
const FALLBACK_LEEWAY_MS = 10_000;
const RETRY_FIRST_MS = 1_000;
/** Consul's waiter: at most 10 minutes between rounds. */
const RETRY_MAX_MS = 10 * 60_000;
const SERVER_PORT_DEFAULT = 8300;
/** Bound on the persisted file read back (certificates, roots and a few settings). */
const FILE_BYTES_MAX = 4 * 1024 * 1024;

export function readPersistedAutoConfig(dataDir: string): AutoConfigResponse | undefined {
  if (dataDir === '') return undefined;
  const path = join(dataDir, AUTO_CONFIG_FILE);
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  if (text.length > FILE_BYTES_MAX) throw new Error(`failed to read persisted configuration: ${path} is larger than ${FILE_BYTES_MAX} bytes`);
  try {
    const resp = JSON.parse(text) as AutoConfigResponse;
    if (typeof resp !== 'object' || resp === null || typeof resp.Config !== 'object') throw new Error('no Config');
    return resp;
  } catch (err) {
    throw new Error(`failed to restore persisted configuration from ${path}: ${(err as Error).message}`);
  }
}

export function persistAutoConfig(dataDir: string, resp: AutoConfigResponse): void {
  if (dataDir === '') return;
  writeFileDurably(join(dataDir, AUTO_CONFIG_FILE), JSON.stringify(resp, null, 2), 0o600);
}

/** introToken: intro_token (or CONSUL_INTRO_TOKEN), else the file's content. */
export function introToken(c: AgentConfig['autoConfig']): string {
  if (c.introToken !== '') return c.introToken;
  if (c.introTokenFile === '') throw new Error('neither intro_token or intro_token_file settings are not configured');
  let text: string;
  try {
    text = readFileSync(c.introTokenFile, 'utf8');
  } catch (err) {
    throw new Error(`Failed to read intro token from file: ${(err as Error).message}`);
  }
  // A trailing newline from `echo > file` is not part of the JWT.
  const token = text.trim();
  if (token === '') throw new Error('intro_token_file did not contain any token');
  return token;
}

/** The persisted answer if still usable, else the servers' (persisted before it is returned). */
export async function initialConfiguration(config: AgentConfig, rpcTls: RpcTls, log: Logger, signal: AbortSignal, now = Date.now): Promise<AutoConfigResponse> {
  const persisted = readPersistedAutoConfig(config.dataDir);
  if (persisted) {
    const end = persisted.Certificate ? Date.parse(persisted.Certificate.ValidBefore) : Infinity;
    if (!(end - FALLBACK_LEEWAY_MS <= now())) {
      log.info('auto-config: restored the persisted configuration');
      return persisted;
    }
    log.warn('auto-config: the persisted certificate has expired, fetching the configuration again');
  }
  log.info('retrieving initial agent auto configuration remotely');
  const { csr, keyPem } = await agentCsr(config);
  let waitMs = RETRY_FIRST_MS;
  for (;;) {
    try {
      const resp = await askServers(config, rpcTls, csr, log, signal);
      if (resp.Certificate) resp.Certificate.PrivateKeyPEM = keyPem;
      persistAutoConfig(config.dataDir, resp);
      return resp;
    } catch (err) {
      log.error((err as Error).message);
    }
    if (signal.aborted) throw new Error('interrupted during initial auto configuration');
    await sleep(waitMs, signal);
    waitMs = Math.min(RETRY_MAX_MS, waitMs * 2);
  }
}

/** getInitialConfigurationOnce: each server address in turn; the first answer wins. */
async function askServers(config: AgentConfig, rpcTls: RpcTls, csr: string, log: Logger, signal: AbortSignal): Promise<AutoConfigResponse> {
  const request: AutoConfigRequest = { Datacenter: config.datacenter, Node: config.nodeName, Segment: '', JWT: introToken(config.autoConfig), CSR: csr };
  for (const addr of config.autoConfig.serverAddresses) {
    if (signal.aborted) break;
    const { host, port } = hostPort(addr);
    log.debug({ addr: `${host}:${port}` }, 'making AutoConfig.InitialConfiguration RPC');
    try {
      const resp = (await insecureRpcCall(rpcTls, host, port, 'AutoConfig.InitialConfiguration', request)) as AutoConfigResponse;
      log.debug('AutoConfig.InitialConfiguration RPC was successful');
      return resp;
    } catch (err) {
      log.error({ addr: `${host}:${port}`, error: (err as Error).message }, 'AutoConfig.InitialConfiguration RPC failed');
    }
  }
  throw new Error('No server successfully responded to the auto-config request');
}

/** server_addr.go: `host`, `host:port` or `[v6]:port`; the server RPC port when none is given. */
function hostPort(addr: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(addr);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : SERVER_PORT_DEFAULT };
  const colons = addr.split(':').length - 1;
  if (colons === 1) return { host: addr.slice(0, addr.lastIndexOf(':')), port: Number(addr.slice(addr.lastIndexOf(':') + 1)) || SERVER_PORT_DEFAULT };
  return { host: addr, port: SERVER_PORT_DEFAULT };
}
