/**
 * The API client the views use: @proconsul/api's Consul, pointed at the page's own origin
 * (so one build works behind any agent or proxy) with the ACL token from localStorage.
 */
import { Consul } from '@proconsul/api';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/**
 * Consul's UI keeps the token under this key as `{"AccessorID": ..., "SecretID": ...}`; the
 * same entry works here (a browser that used one UI on this origin keeps its token).
 */
const TOKEN_KEY = 'consul:token';

export function loadToken(): string {
  try {
    const saved = JSON.parse(localStorage.getItem(TOKEN_KEY) ?? 'null') as { SecretID?: unknown } | null;
    return typeof saved?.SecretID === 'string' ? saved.SecretID : '';
  } catch {
    return '';
  }
}

export function saveToken(token: string): void {
  if (token) localStorage.setItem(TOKEN_KEY, JSON.stringify({ AccessorID: null, SecretID: token }));
  else localStorage.removeItem(TOKEN_KEY);
}

/** A client for datacenter `dc` (sent as ?dc=) with `token` (sent as X-Consul-Token). */
export function makeClient(token: string, dc: string | undefined): Consul {
  return new Consul({
    address: location.origin,
    token: token || undefined,
    datacenter: dc || undefined,
    env: {},
    // Browsers throw "Illegal invocation" when window.fetch is called as another object's method.
    fetch: (url, init) => globalThis.fetch(url, init),
  });
}

export interface Session {
  consul: Consul;
  dc: string;
  token: string;
  setToken(token: string): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionContext');
  return s;
}
