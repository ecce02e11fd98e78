/**
 * Consul's translateConfig (agent/auto-config/config_translate.go): the servers' answer as a config
 * fragment. It is merged right after the built-in defaults (Consul loads it as the DefaultConfig
 * source), so anything the user's files or flags set wins over it.
 */
type Fragment = Record<string, unknown>;
import type { SignedResponse } from '../connect/auto-encrypt-rpc.js';
import type { AutoConfigResponse } from './response.js';

const set = (out: Fragment, key: string, v: string | undefined): void => {
  if (v) out[key] = v;
};

export function translateConfig(resp: AutoConfigResponse): Fragment {
  const c = resp.Config;
  const out: Fragment = {};
  set(out, 'datacenter', c.Datacenter);
  set(out, 'primary_datacenter', c.PrimaryDatacenter);
  set(out, 'node_name', c.NodeName);
  set(out, 'segment', c.SegmentName);
  if (c.ACL) {
    const acl: Fragment = { enabled: c.ACL.Enabled, enable_key_list_policy: c.ACL.EnableKeyListPolicy };
    set(acl, 'policy_ttl', c.ACL.PolicyTTL);
    set(acl, 'role_ttl', c.ACL.RoleTTL);
    set(acl, 'token_ttl', c.ACL.TokenTTL);
    set(acl, 'down_policy', c.ACL.DownPolicy);
    set(acl, 'default_policy', c.ACL.DefaultPolicy);
    if (c.ACL.Tokens?.Agent) acl.tokens = { agent: c.ACL.Tokens.Agent };
    out.acl = acl;
  }
  if (c.Gossip) {
    if (c.Gossip.RetryJoinLAN.length > 0) out.retry_join = c.Gossip.RetryJoinLAN;
    const e = c.Gossip.Encryption;
    if (e) {
      set(out, 'encrypt', e.Key);
      out.encrypt_verify_incoming = e.VerifyIncoming;
      out.encrypt_verify_outgoing = e.VerifyOutgoing;
    }
  }
  if (c.TLS) {
    // Consul sets the pre-1.12 top-level keys; they are tls.defaults / tls.internal_rpc settings.
    const defaults: Fragment = { verify_outgoing: c.TLS.VerifyOutgoing };
    set(defaults, 'tls_min_version', c.TLS.MinVersion);
    out.tls = { defaults, internal_rpc: { verify_server_hostname: c.TLS.VerifyServerHostname } };
  }
  return out;
}

/** extractSignedResponse: the certificate part, as auto_encrypt's AutoEncrypt.Sign answers it. */
export function signedResponse(resp: AutoConfigResponse): SignedResponse | undefined {
  if (!resp.Certificate || !resp.CARoots) return undefined;
  return {
    IssuedCert: resp.Certificate,
    ConnectCARoots: { ActiveRootID: resp.CARoots.ActiveRootID, TrustDomain: resp.CARoots.TrustDomain, Roots: resp.CARoots.Roots ?? [], Index: resp.CARoots.Index ?? 0 },
    ManualCARoots: resp.ExtraCACertificates ?? [],
    VerifyServerHostname: resp.Config.TLS?.VerifyServerHostname === true,
  };
}
