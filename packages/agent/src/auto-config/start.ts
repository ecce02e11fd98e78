/**
 * Consul's AutoConfig.InitialConfiguration on the agent side (agent/auto-config/auto_config.go
 * recordInitialConfiguration and run.go): the answer (persisted or fetched) becomes a config
 * source and the configuration is read again with it; the certificate part is handed to the
 * auto_encrypt machinery, which renews it, and each renewal is persisted with the answer.
 */
import type { AgentConfig } from '../config/types.js';
import { loadConfig } from '../config/load.js';
import type { SignedResponse } from '../connect/auto-encrypt-rpc.js';
import type { IssuedCert } from '../connect/ca-manager.js';
import type { Logger } from '../log.js';
import type { RpcTls } from '../tls/rpc-tls.js';
import { initialConfiguration, persistAutoConfig } from './client.js';
import { signedResponse, translateConfig } from './translate.js';

export interface AutoConfigured {
  config: AgentConfig;
  /** The answer as a config fragment, for reloads. */
  fragment: Record<string, unknown>;
  /** The certificate, roots and CAs with the agent's key, when the servers signed one. */
  signed?: { resp: SignedResponse; keyPem: string };
  /** Records a renewed certificate in the persisted answer. */
  certRenewed(cert: IssuedCert): void;
}

export async function autoConfigure(config: AgentConfig, argv: string[] | undefined, rpcTls: RpcTls, log: Logger): Promise<AutoConfigured> {
  if (!argv) throw new Error('auto_config needs the agent command line to read the configuration again');
  // Not stopped from here: a signal during the start ends the process (main.ts bounds it).
  const resp = await initialConfiguration(config, rpcTls, log, new AbortController().signal);
  const fragment = translateConfig(resp);
  let fresh: AgentConfig;
  try {
    fresh = await loadConfig(argv, process.env, {}, fragment);
  } catch (err) {
    throw new Error(`failed to fully resolve configuration: ${(err as Error).message}`);
  }
  for (const w of fresh.warnings ?? []) if (!(config.warnings ?? []).includes(w)) log.warn(w);
  const signed = signedResponse(resp);
  const keyPem = resp.Certificate?.PrivateKeyPEM;
  return {
    config: fresh,
    fragment,
    ...(signed && keyPem ? { signed: { resp: signed, keyPem } } : {}),
    certRenewed: (cert) => {
      resp.Certificate = cert;
      try {
        persistAutoConfig(fresh.dataDir, resp);
      } catch (err) {
        log.error({ error: (err as Error).message }, 'auto-config: failed to persist the renewed certificate');
      }
    },
  };
}
