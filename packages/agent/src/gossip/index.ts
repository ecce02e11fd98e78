// The agent's gossip: the LAN pool on -bind:serf_lan with Consul's member tags, user events fed
// into the agent's event store, cluster-wide keyring operations, -join and -retry-join; on a
// server also the WAN pool on -bind:serf_wan (-join-wan, -retry-join-wan) that the router to
// other datacenters reads. This is what agent.ts starts and what the HTTP routes and clustering use.
import { cidrMatcher } from '../cidr.js';
import type { AgentConfig } from '../config/index.js';
import { shouldProcess, type UserEvent, type UserEvents } from '../events/user-events.js';
import type { Logger } from '../log.js';
import type { Config as GossipConfig, Keyring } from '@proconsul/gossip';
import { KeyringManager, loadKeyring, WAN_KEYRING_FILE } from './keyring.js';
import { LanPool } from './lan.js';
import { startRetryJoin } from './retry-join.js';
import { startWanFlood } from './wan-flood.js';
import { MemberSnapshot, SNAPSHOT_FILE, WAN_SNAPSHOT_FILE } from './snapshot.js';
import { isServer, memberTags, reconnectTimeoutOverride, wanMemberTags } from './tags.js';

export type { AgentMember, LanMembership, MembershipEvent, MembershipEventType } from './lan.js';
export { MemberStatus } from './lan.js';
export type { KeyringOp, KeyringResponse } from './keyring.js';
export { validateKey, keyringErrors } from './keyring.js';
export { memberTags } from './tags.js';

export interface AgentGossip {
  readonly lan: LanPool;
  /** The WAN pool of a server (members `<node>.<dc>`); undefined on a client or with serf_wan -1. */
  readonly wan: LanPool | undefined;
  readonly keyring: KeyringManager;
  /** Whether gossip is encrypted (a keyring is installed). */
  readonly encrypted: boolean;
  /** Resolves with the fatal error when -retry-join or -retry-join-wan gives up (the agent must exit). */
  readonly fatal: Promise<Error>;
  /** Graceful leave: the intent is gossiped and remembered (a restart does not rejoin by itself). */
  leave(): Promise<void>;
  /** Fires a user event cluster-wide (it reaches this agent too); returns its Lamport time. */
  fireEvent(event: UserEvent): number;
  close(): Promise<void>;
}

export interface StartGossipOptions {
  config: AgentConfig;
  nodeId: string;
  advertiseAddr: string;
  events: UserEvents;
  /** This agent's services, for the events' service and tag filters. */
  services: () => Array<{ Service: string; Tags: string[] }>;
  log: Logger;
}

export async function startGossip(o: StartGossipOptions): Promise<AgentGossip> {
  const c = o.config;
  // Where keyrings are kept: nowhere in -dev or with disable_keyring_file (each start begins from `encrypt`).
  const keyringDir = c.dev || c.disableKeyringFile ? '' : c.dataDir;
  const { keyring, fromFile } = loadKeyring(c.encrypt, keyringDir);
  if (fromFile && c.encrypt) o.log.warn('loaded the keyring from the data dir: -encrypt is ignored (use `proconsul keyring` to change keys)');
  let onFatal: (e: Error) => void = () => undefined;
  const fatal = new Promise<Error>((r) => (onFatal = r));
  const lan = await LanPool.create({
    name: c.nodeName,
    bindAddr: c.serfBindLan,
    port: c.ports.serfLan,
    advertiseAddr: o.advertiseAddr,
    tags: memberTags(c, o.nodeId),
    ...(keyring ? { keyring } : {}),
    ...verification(c),
    disableCoordinates: c.coordinate.disabled,
    config: { ...c.gossipLan, ...reaping(c.reconnectTimeoutLanMs, o.log), ...allowed(c.serfAllowedCidrsLan) },
    log: o.log,
    onUserEvent: (event, lt) => {
      if (shouldProcess(event, c.nodeName, o.services())) o.events.receive({ ...event, LTime: lt });
    },
  });
  o.log.info({ node: c.nodeName, addr: `${o.advertiseAddr}:${lan.node.port}`, encrypted: !!keyring, server: isServer(c) }, 'serf LAN pool started');
  const manager = new KeyringManager(lan, c.datacenter, keyringDir);
  const pools: JoinedPool[] = [];
  let wan: LanPool | undefined;
  try {
    pools.push(await joinPool(lan, {
      cluster: 'LAN', config: c, snapshotFile: SNAPSHOT_FILE, selfName: c.nodeName,
      startJoin: c.startJoin, retryJoin: c.retryJoin, retryIntervalMs: c.retryIntervalMs, retryMax: c.retryMaxAttempts,
      log: o.log, onFatal: (e) => onFatal(e),
    }));
    // Servers also gossip over the WAN pool with the servers of every datacenter, under a
    // keyring of its own that starts from the same -encrypt key and follows the same operations.
    if (isServer(c) && c.ports.serfWan > 0) {
      // The WAN keyring: its own file (Consul's serf/remote.keyring), else the same -encrypt key.
      const wanKeyring = loadKeyring(c.encrypt, keyringDir, WAN_KEYRING_FILE).keyring;
      wan = await startWan(c, o.nodeId, wanKeyring, o.log);
      manager.addWan(wan);
      pools.push(await joinPool(wan, {
        cluster: 'WAN', config: c, snapshotFile: WAN_SNAPSHOT_FILE, selfName: wan.localMember().Name,
        startJoin: c.startJoinWan, retryJoin: c.retryJoinWan, retryIntervalMs: c.retryIntervalWanMs, retryMax: c.retryMaxAttemptsWan,
        log: o.log, onFatal: (e) => onFatal(e),
      }));
      const stopFlood = startWanFlood(lan, wan, c.datacenter, o.log);
      pools.push({ snapshot: undefined, close: stopFlood });
    }
  } catch (err) {
    for (const p of pools) p.close();
    await wan?.shutdown();
    await lan.shutdown();
    throw err;
  }
  return {
    lan,
    wan,
    keyring: manager,
    encrypted: !!keyring,
    fatal,
    leave: async () => {
      for (const p of pools) p.snapshot?.leave();
      await Promise.all([lan.leave(), wan?.leave()]);
    },
    fireEvent: (event) => {
      const { LTime: _ignored, ...body } = event;
      return lan.fireEvent(body);
    },
    close: async () => {
      for (const p of pools) p.close();
      await wan?.shutdown();
      await lan.shutdown();
    },
  };
}

/** The WAN pool: `<node>.<dc>` on -bind:serf_wan, advertised at advertise_addr_wan, WAN timings. */
async function startWan(c: AgentConfig, nodeId: string, keyring: Keyring | undefined, log: Logger): Promise<LanPool> {
  const advertise = c.advertiseAddrWan || c.advertiseAddr || c.bindAddr;
  const wan = await LanPool.create({
    name: `${c.nodeName}.${c.datacenter}`,
    bindAddr: c.serfBindWan,
    port: c.ports.serfWan,
    advertiseAddr: advertise,
    tags: wanMemberTags(c, nodeId),
    ...(keyring ? { keyring } : {}),
    ...verification(c),
    profile: 'wan',
    config: { ...c.gossipWan, ...reaping(c.reconnectTimeoutWanMs, log), ...allowed(c.serfAllowedCidrsWan) },
    disableCoordinates: c.coordinate.disabled,
    log,
    onUserEvent: () => undefined, // user events are the LAN pool's
  });
  log.info({ node: wan.localMember().Name, addr: `${advertise}:${wan.node.port}`, encrypted: !!keyring }, 'serf WAN pool started');
  return wan;
}

interface JoinedPool {
  snapshot: MemberSnapshot | undefined;
  close(): void;
}

interface JoinPoolOptions {
  cluster: 'LAN' | 'WAN';
  config: AgentConfig;
  snapshotFile: string;
  selfName: string;
  startJoin: string[];
  retryJoin: string[];
  retryIntervalMs: number;
  retryMax: number;
  log: Logger;
  onFatal: (err: Error) => void;
}

/**
 * Joins a pool as Consul does at start: -join (none answering: the agent does not start), the
 * members of the previous run from the snapshot (outside -dev), then -retry-join in the background.
 */
async function joinPool(pool: LanPool, o: JoinPoolOptions): Promise<JoinedPool> {
  const c = o.config;
  const snapshot = c.dev ? undefined : new MemberSnapshot(c.dataDir, o.selfName, o.log, o.snapshotFile);
  const previous = snapshot?.previousMembers(c.rejoinAfterLeave) ?? [];
  if (snapshot) {
    snapshot.start();
    pool.onMember((e) => snapshot.onMember(e));
  }
  if (o.startJoin.length > 0) {
    const n = await pool.join(o.startJoin);
    o.log.info({ cluster: o.cluster, agent_count: n }, 'Join completed. Initial agents synced with');
  }
  if (previous.length > 0) {
    o.log.info({ cluster: o.cluster, members: previous.length }, 'Attempting re-join to previously known nodes');
    pool.join(previous).then(
      (n) => o.log.info({ cluster: o.cluster, num_agents: n }, 'Re-joined to previously known nodes'),
      (err: Error) => o.log.warn({ cluster: o.cluster, error: err.message }, 'Failed to re-join any previously known node'),
    );
  }
  const stopRetry = o.retryJoin.length > 0
    ? startRetryJoin({ addrs: o.retryJoin, intervalMs: o.retryIntervalMs, maxAttempts: o.retryMax, join: (addrs) => pool.join(addrs), log: o.log, cluster: o.cluster, onExhausted: o.onFatal })
    : () => undefined;
  return {
    snapshot,
    close: () => {
      stopRetry();
      snapshot?.close();
    },
  };
}

/** encrypt_verify_incoming / encrypt_verify_outgoing, for both pools as Consul sets them. */
function verification(c: AgentConfig): { verifyIncoming: boolean; verifyOutgoing: boolean } {
  return { verifyIncoming: c.encryptVerifyIncoming, verifyOutgoing: c.encryptVerifyOutgoing };
}

/** Consul's reaper settings: failed members go after 72h unless configured (agent/consul/config.go) or overridden by their rc_tm tag. */
function reaping(configuredMs: number, log: Logger): Pick<GossipConfig, 'reconnectTimeoutMs' | 'reconnectTimeoutOverride'> {
  return { reconnectTimeoutMs: configuredMs || 72 * 3600_000, reconnectTimeoutOverride: reconnectTimeoutOverride(log) };
}

/** serf_*_allowed_cidrs (memberlist's CIDRsAllowed); none given lets every address in. */
function allowed(cidrs: readonly string[]): Pick<GossipConfig, 'addressAllowed'> {
  return cidrs.length > 0 ? { addressAllowed: cidrMatcher(cidrs) } : {};
}
