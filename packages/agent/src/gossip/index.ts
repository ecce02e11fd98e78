// The agent's LAN gossip: one pool on -bind:serf_lan with Consul's member tags, user events fed
// into the agent's event store, cluster-wide keyring operations, -join and -retry-join. This is
// what agent.ts starts and what the HTTP routes and (later) Raft clustering use.
import type { AgentConfig } from '../config/index.js';
import { shouldProcess, type UserEvent, type UserEvents } from '../events/user-events.js';
import type { Logger } from '../log.js';
import { KeyringManager, loadKeyring } from './keyring.js';
import { LanPool } from './lan.js';
import { startRetryJoin } from './retry-join.js';
import { MemberSnapshot } from './snapshot.js';
import { isServer, memberTags } from './tags.js';

export type { AgentMember, LanMembership, MembershipEvent, MembershipEventType } from './lan.js';
export { MemberStatus } from './lan.js';
export type { KeyringOp, KeyringResponse } from './keyring.js';
export { validateKey, multiError } from './keyring.js';
export { memberTags } from './tags.js';

export interface AgentGossip {
  readonly lan: LanPool;
  readonly keyring: KeyringManager;
  /** Whether gossip is encrypted (a keyring is installed). */
  readonly encrypted: boolean;
  /** Resolves with the fatal error when -retry-join gives up (the agent must exit). */
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
  const { keyring, fromFile } = loadKeyring(c.encrypt, c.dev ? '' : c.dataDir);
  if (fromFile && c.encrypt) o.log.warn('loaded the keyring from the data dir: -encrypt is ignored (use `proconsul keyring` to change keys)');
  const lan = await LanPool.create({
    name: c.nodeName,
    bindAddr: c.bindAddr,
    port: c.ports.serfLan,
    advertiseAddr: o.advertiseAddr,
    tags: memberTags(c, o.nodeId),
    ...(keyring ? { keyring } : {}),
    disableCoordinates: c.coordinate.disabled,
    log: o.log,
    onUserEvent: (event, lt) => {
      if (shouldProcess(event, c.nodeName, o.services())) o.events.receive({ ...event, LTime: lt });
    },
  });
  o.log.info({ node: c.nodeName, addr: `${o.advertiseAddr}:${lan.node.port}`, encrypted: !!keyring, server: isServer(c) }, 'serf LAN pool started');
  const manager = new KeyringManager(lan, c.datacenter, c.dev ? '' : c.dataDir);
  // Outside -dev, the members we knew let a restarted agent rejoin by itself.
  const snapshot = c.dev ? undefined : new MemberSnapshot(c.dataDir, c.nodeName, o.log);
  const previous = snapshot?.previousMembers(c.rejoinAfterLeave) ?? [];
  if (snapshot) {
    snapshot.start();
    lan.onMember((e) => snapshot.onMember(e));
  }
  let stopRetry = (): void => undefined;
  let onFatal: (e: Error) => void = () => undefined;
  const fatal = new Promise<Error>((r) => (onFatal = r));
  try {
    // -join: every address is tried; the agent does not start if none answers (Consul's startupJoin).
    if (c.startJoin.length > 0) {
      const n = await lan.join(c.startJoin);
      o.log.info({ agent_count: n }, 'Join completed. Initial agents synced with');
    }
  } catch (err) {
    await lan.shutdown();
    throw err;
  }
  if (previous.length > 0) {
    o.log.info({ members: previous.length }, 'Attempting re-join to previously known nodes');
    lan.join(previous).then(
      (n) => o.log.info({ num_agents: n }, 'Re-joined to previously known nodes'),
      (err: Error) => o.log.warn({ error: err.message }, 'Failed to re-join any previously known node'),
    );
  }
  if (c.retryJoin.length > 0) {
    stopRetry = startRetryJoin({
      addrs: c.retryJoin,
      intervalMs: c.retryIntervalMs,
      maxAttempts: c.retryMaxAttempts,
      join: (addrs) => lan.join(addrs),
      log: o.log,
      onExhausted: onFatal,
    });
  }
  return {
    lan,
    keyring: manager,
    encrypted: !!keyring,
    fatal,
    leave: async () => {
      snapshot?.leave();
      await lan.leave();
    },
    fireEvent: (event) => {
      const { LTime: _ignored, ...body } = event;
      return lan.fireEvent(body);
    },
    close: async () => {
      stopRetry();
      snapshot?.close();
      await lan.shutdown();
    },
  };
}
