/**
 * Whether the agent answers at all. Any transport failure marks it lost; the next answer
 * (of any status) marks it back. The header shows a banner while it is lost.
 */
import { ConsulConnectionError } from '@proconsul/api';
import { useEffect, useState } from 'preact/hooks';

let lost = false;
let since = 0;
const listeners = new Set<() => void>();

function set(value: boolean): void {
  if (value === lost) return;
  lost = value;
  since = Date.now();
  listeners.forEach((l) => l());
}

export function reportResult(err?: unknown): void {
  if (err === undefined) set(false);
  else if (err instanceof ConsulConnectionError) set(true);
  else set(false); // an HTTP error still means the agent answered
}

export function useAgentLost(): { lost: boolean; since: number } {
  const [, force] = useState(0);
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return { lost, since };
}
