/**
 * The auth method types of Consul 1.17 OSS and their validators, cached per method until it is
 * modified (Consul's authmethod cache keyed by ModifyIndex).
 */
import type { AclAuthMethodRecord } from '@proconsul/catalog';
import type { AuthValidator } from './identity.js';
import { JwtValidator } from './jwt.js';
import { KubernetesValidator } from './kubernetes.js';

/** authmethod.Types() of a Consul OSS server, sorted (aws-iam is registered there but not built here). */
export const CONSUL_OSS_TYPES = ['aws-iam', 'jwt', 'kubernetes'] as const;
const BUILT = new Set(['jwt', 'kubernetes']);

export const isBuiltType = (type: string): boolean => BUILT.has(type);

/** authmethod.NewValidator: the type's validator, the Config checked (a JWKS or discovery URL fetched). */
export async function newValidator(method: Pick<AclAuthMethodRecord, 'Type' | 'Config'>): Promise<AuthValidator> {
  if (method.Type === 'jwt') return JwtValidator.create(method.Config);
  if (method.Type === 'kubernetes') return KubernetesValidator.create(method.Config);
  throw new Error(`no auth method registered with type: ${method.Type}`);
}

/** Bound on the cached validators (one per method; methods are capped by the store). */
const CACHE_MAX = 1024;

export class ValidatorCache {
  readonly #entries = new Map<string, { modifyIndex: number; validator: Promise<AuthValidator> }>();

  get(method: AclAuthMethodRecord): Promise<AuthValidator> {
    const hit = this.#entries.get(method.Name);
    if (hit && hit.modifyIndex === method.ModifyIndex) return hit.validator;
    if (this.#entries.size >= CACHE_MAX) this.#entries.clear();
    const validator = newValidator(method);
    // A failed creation (a JWKS URL down) is tried again on the next login.
    validator.catch(() => {
      if (this.#entries.get(method.Name)?.validator === validator) this.#entries.delete(method.Name);
    });
    this.#entries.set(method.Name, { modifyIndex: method.ModifyIndex, validator });
    return validator;
  }
}
