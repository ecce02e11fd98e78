/**
 * The catalog as the list views need it: service names and tags, nodes, every check, and
 * each service's instances. The three lists are watched with blocking queries; whenever one
 * moves, every service's /v1/health/service is read again (bounded concurrency), since no
 * single /v1 endpoint carries instance counts.
 */
import type { Consul, HealthCheck, Node, ServiceEntry } from '@proconsul/api';
import { useEffect, useRef, useState } from 'preact/hooks';
import { reportResult } from './connection.js';
import { useLive } from './live.js';

/** Parallel reads per refresh: browsers allow 6 connections per host and watches hold some. */
const CONCURRENCY = 3;

export interface CatalogView {
  services: Record<string, string[]> | undefined;
  nodes: Node[] | undefined;
  checks: HealthCheck[] | undefined;
  /** Instances by service name; undefined until the first refresh ends. */
  entries: Record<string, ServiceEntry[]> | undefined;
  error: unknown;
  loading: boolean;
}

export function useCatalog(consul: Consul, withNodes: boolean): CatalogView {
  const services = useLive((q) => consul.catalog.services(q), [consul]);
  const checks = useLive((q) => consul.health.state('any', q), [consul]);
  const nodes = useLive(withNodes ? (q) => consul.catalog.nodes(q) : null, [consul, withNodes]);
  const [entries, setEntries] = useState<Record<string, ServiceEntry[]> | undefined>(undefined);
  const [entriesError, setEntriesError] = useState<unknown>(undefined);

  // One refresh at a time; changes that arrive meanwhile queue exactly one more, so a busy
  // cluster (check output changing constantly) never starves the view nor piles up requests.
  const runner = useRef<{ names: string[] | undefined; dirty: boolean; running: boolean; ac: AbortController } | null>(null);
  useEffect(() => {
    const state = { names: undefined as string[] | undefined, dirty: false, running: false, ac: new AbortController() };
    runner.current = state;
    return () => state.ac.abort();
  }, [consul]);

  useEffect(() => {
    const state = runner.current;
    if (!state || !services.data) return;
    state.names = Object.keys(services.data);
    state.dirty = true;
    if (state.running) return;
    state.running = true;
    const { signal } = state.ac;
    void (async () => {
      try {
        while (state.dirty && !signal.aborted) {
          state.dirty = false;
          const names = state.names ?? [];
          // A Map: a service may be named "__proto__", which assigning into {} would drop.
          const out = new Map<string, ServiceEntry[]>();
          let next = 0;
          const worker = async () => {
            while (next < names.length) {
              const name = names[next++]!;
              out.set(name, (await consul.health.service(name, { signal })).data);
            }
          };
          try {
            await Promise.all(Array.from({ length: Math.min(CONCURRENCY, names.length) }, worker));
            if (signal.aborted) return;
            setEntries(Object.fromEntries(out));
            setEntriesError(undefined);
          } catch (err) {
            if (signal.aborted) return;
            reportResult(err);
            setEntriesError(err);
          }
        }
      } finally {
        state.running = false;
      }
    })();
  }, [consul, services.data, checks.data, nodes.data]);

  return {
    services: services.data,
    nodes: nodes.data,
    checks: checks.data,
    entries,
    error: services.error ?? checks.error ?? nodes.error ?? entriesError,
    loading: services.loading || (withNodes && nodes.loading) || (services.data !== undefined && entries === undefined),
  };
}
