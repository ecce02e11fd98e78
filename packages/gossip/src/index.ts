export { lanConfig, wanConfig, profileConfig, validateConfig, suspicionTimeoutMs, retransmitLimit, pushPullIntervalMs } from './config.js';
export type { Config, Profile } from './config.js';
export { Memberlist, toMember } from './state.js';
export type { Address, Member, MemberEvent, MemberEventType, Output, OutPacket, OutStream, CoreOptions, CoreStats, UserMessage } from './state.js';
export type { MemberState, MemberRecord } from './members.js';
export { SharedMembers } from './members.js';
export type { Tags } from './messages.js';
export { CoordinateClient, defaultCoordinateConfig, distanceSeconds, isValidCoordinate, newCoordinate, RTT_MAX_MS } from './coordinate.js';
export type { Coordinate, CoordinateConfig } from './coordinate.js';
export type { PingObservation } from './state.js';
export { Keyring, decodeKey, generateKey, KEY_BYTES, KEY_SIZES } from './keyring.js';
export { USER_BYTES_MAX } from './messages.js';
export { encryptPayload, decryptPayload, ENCRYPT_OVERHEAD } from './security.js';
export { seededRng } from './rng.js';
export type { Rng } from './rng.js';
export { GossipNode, DEFAULT_PORT } from './node.js';
export type { GossipNodeOptions, NodeStats } from './node.js';
export { SimCluster } from './sim/cluster.js';
export type { SimNode, SimOptions } from './sim/cluster.js';
export { runScenario, formatResult } from './sim/scenario.js';
export type { ScenarioOptions, ScenarioResult } from './sim/scenario.js';

/** Convenience: `create(options)` is `GossipNode.create(options)`. */
import { GossipNode as Node_, type GossipNodeOptions as Opts } from './node.js';
export function create(o: Opts): Promise<Node_> {
  return Node_.create(o);
}
