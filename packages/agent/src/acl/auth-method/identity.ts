/**
 * What an auth method's validator gives the binder (Consul's authmethod.Identity): the fields a
 * binding rule's Selector sees, and the variables its BindName may interpolate.
 */
export interface AuthIdentity {
  /** Selectable fields in go-bexpr's names (`value.x`, `list.x`, `serviceaccount.name`). */
  selectable: Record<string, unknown>;
  /** `${name}` variables for BindName and BindVars. */
  projected: Map<string, string>;
}

/** A login validation that failed for the caller's token or config: Consul's text, a 4xx. */
export class AuthMethodError extends Error {}

/** An auth method type's validator (Consul's authmethod.Validator). */
export interface AuthValidator {
  /** The identity with every field empty: what a binding rule is checked against. */
  blankIdentity(): AuthIdentity;
  validateLogin(bearerToken: string): Promise<AuthIdentity>;
}

/** A map for selectors and projections that cannot reach Object.prototype. */
export function bare<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}
