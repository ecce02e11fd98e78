/**
 * Which intentions apply to a service, and what they decide (Consul 1.17's
 * state/config_entry_intention.go readSource/readDestinationIntentionsFromConfigEntriesTxn,
 * state.IntentionDecision and connect/authz.go IntentionMatch). Pure functions over the
 * service-intentions entries: the state store is read by the caller.
 */
import { byPrecedence, intentionString, toIntention, toIntentions, WILDCARD, DEFAULT_NAMESPACE, type Intention, type MatchType, type ServiceIntentionsEntry } from './intention.js';

const lower = (s: string): string => s.toLowerCase();

/** getIntentionPrecedenceMatchServiceNames: the name itself and the wildcard (once for `*`). */
function candidateNames(name: string): string[] {
  return name === WILDCARD ? [WILDCARD] : [name, WILDCARD];
}

/**
 * Intentions whose destination covers `name` (its own entry's sources and those of the `*`
 * entry), highest precedence first.
 */
export function matchDestination(entries: readonly ServiceIntentionsEntry[], name: string): Intention[] {
  const wanted = new Set(candidateNames(name).map(lower));
  const out: Intention[] = [];
  for (const e of entries) if (wanted.has(lower(e.Name))) out.push(...toIntentions(e));
  return out.sort(byPrecedence);
}

/**
 * Intentions whose source covers `name` (sources named so or `*`, local ones: a source from a
 * peer or a sameness group is another cluster's service), highest precedence first.
 */
export function matchSource(entries: readonly ServiceIntentionsEntry[], name: string): Intention[] {
  const wanted = new Set(candidateNames(name).map(lower));
  const out: Intention[] = [];
  for (const e of entries) {
    for (const src of e.Sources) {
      if (src.Peer || src.SamenessGroup) continue;
      if (wanted.has(lower(src.Name))) out.push(toIntention(e, src));
    }
  }
  return out.sort(byPrecedence);
}

export function match(entries: readonly ServiceIntentionsEntry[], by: MatchType, name: string): Intention[] {
  return by === 'source' ? matchSource(entries, name) : matchDestination(entries, name);
}

/** connect.IntentionMatch: whether the intention's `by` side covers the (local) service `target`. */
export function intentionCovers(ixn: Intention, by: MatchType, target: string, targetNs = DEFAULT_NAMESPACE): boolean {
  if (by === 'source' && (ixn.SourcePeer ?? '') !== '') return false;
  const [ns, name] = by === 'source' ? [ixn.SourceNS, ixn.SourceName] : [ixn.DestinationNS, ixn.DestinationName];
  if (ns !== WILDCARD && ns !== targetNs) return false;
  return name === WILDCARD || name === target;
}

/** The first intention (in precedence order) whose `by` side covers `target`. */
export function firstCovering(intentions: readonly Intention[], by: MatchType, target: string, targetNs = DEFAULT_NAMESPACE): Intention | undefined {
  return intentions.find((ixn) => intentionCovers(ixn, by, target, targetNs));
}

export interface DecisionSummary {
  Allowed: boolean;
  DefaultAllow: boolean;
  HasPermissions: boolean;
  HasExact: boolean;
  /** The intention that decided; undefined when the default did. */
  matched?: Intention;
}

/**
 * state.IntentionDecision: the first covering intention decides by its action; one with L7
 * permissions decides `allowPermissions` (false when judging a connection, which cannot see the
 * requests it will carry); no intention leaves the default.
 */
export function intentionDecision(o: {
  intentions: readonly Intention[];
  by: MatchType;
  target: string;
  defaultAllow: boolean;
  allowPermissions: boolean;
}): DecisionSummary {
  const matched = firstCovering(o.intentions, o.by, o.target);
  if (!matched) return { Allowed: o.defaultAllow, DefaultAllow: o.defaultAllow, HasPermissions: false, HasExact: false };
  const hasPermissions = (matched.Permissions?.length ?? 0) > 0;
  return {
    Allowed: hasPermissions ? o.allowPermissions : matched.Action === 'allow',
    DefaultAllow: o.defaultAllow,
    HasPermissions: hasPermissions,
    HasExact: matched.SourceName !== WILDCARD && matched.DestinationName !== WILDCARD,
    matched,
  };
}

/**
 * The agent's authorize decision (agent/connect_auth.go ConnectAuthorize, Consul 1.17): the
 * target's intentions matched against the client's service; L7 intentions deny a connection.
 */
export function authorizeDecision(
  intentionsForTarget: readonly Intention[],
  clientService: string,
  defaultAllow: boolean,
  clientNs = DEFAULT_NAMESPACE,
): { Authorized: boolean; Reason: string } {
  const m = firstCovering(intentionsForTarget, 'source', clientService, clientNs);
  if (!m) return { Authorized: defaultAllow, Reason: 'Default behavior configured by ACLs' };
  if ((m.Permissions?.length ?? 0) > 0) return { Authorized: false, Reason: `Matched L7 intention: ${intentionString(m)}` };
  return { Authorized: m.Action === 'allow', Reason: `Matched L4 intention: ${intentionString(m)}` };
}
