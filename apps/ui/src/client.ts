/**
 * The API client the views use: @proconsul/api's Consul, pointed at the page's own origin
 * (so one build works behind any agent or proxy) with the ACL token from localStorage.
 */
import { Consul } from '@proconsul/api';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

const TOKEN_KEY = 'proconsul:token';

export function loadToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveToken(token: string): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
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
