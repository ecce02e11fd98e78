/**
 * Service definitions from Consul config files, JSON or HCL (`{"service": {...}}` or
 * `{"services": [...]}`; `service { ... }` blocks), with Consul's lowercase/snake_case keys turned into the
 * PascalCase fields of the agent API. User data (Meta, Header, tagged-address names,
 * Proxy/Connect bodies) is left untouched.
 */
import { readFile } from 'node:fs/promises';
import type { AgentServiceCheck, AgentServiceRegistration } from '@proconsul/api';

const SERVICE_FIELDS = [
  'Kind', 'ID', 'Name', 'Tags', 'Port', 'Address', 'SocketPath', 'TaggedAddresses', 'EnableTagOverride',
  'Meta', 'Weights', 'Check', 'Checks', 'Proxy', 'Connect', 'Token', 'Namespace', 'Partition', 'Locality',
];
const CHECK_FIELDS = [
  'CheckID', 'Name', 'Notes', 'Status', 'HTTP', 'Method', 'Header', 'Body', 'TLSSkipVerify', 'TLSServerName',
  'DisableRedirects', 'TCP', 'UDP', 'GRPC', 'GRPCUseTLS', 'H2PING', 'H2PingUseTLS', 'OSService', 'AliasNode',
  'AliasService', 'DockerContainerID', 'Shell', 'Args', 'ScriptArgs', 'TTL', 'Interval', 'Timeout',
  'DeregisterCriticalServiceAfter', 'SuccessBeforePassing', 'FailuresBeforeWarning', 'FailuresBeforeCritical',
  'OutputMaxSize', 'ServiceID', 'Token',
];

function index(fields: string[]): Map<string, string> {
  return new Map(fields.map((f) => [f.toLowerCase(), f]));
}
const SERVICE_INDEX = index(SERVICE_FIELDS);
const CHECK_INDEX = index(CHECK_FIELDS);
const PAIR_INDEX = index(['Address', 'Port', 'Passing', 'Warning']);

function norm(key: string): string {
  return key.toLowerCase().replace(/_/g, '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function translatePairs(v: unknown): unknown {
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) out[PAIR_INDEX.get(norm(k)) ?? k] = val;
  return out;
}

export function translateCheck(raw: Record<string, unknown>): AgentServiceCheck {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const n = norm(k);
    // In config files a check's "id" is its CheckID.
    const field = n === 'id' ? 'CheckID' : (CHECK_INDEX.get(n) ?? k);
    out[field] = v;
  }
  return out as AgentServiceCheck;
}

export function translateService(raw: Record<string, unknown>): AgentServiceRegistration {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const field = SERVICE_INDEX.get(norm(k)) ?? k;
    if (field === 'Token' || field === 'Namespace' || field === 'Partition') continue; // not part of the agent registration body in CE
    if (field === 'Check' && isObject(v)) out[field] = translateCheck(v);
    else if (field === 'Checks' && Array.isArray(v)) out[field] = v.map((c) => (isObject(c) ? translateCheck(c) : c));
    else if (field === 'Weights') out[field] = translatePairs(v);
    else if (field === 'TaggedAddresses' && isObject(v)) {
      out[field] = Object.fromEntries(Object.entries(v).map(([name, addr]) => [name, translatePairs(addr)]));
    } else out[field] = v;
  }
  return out as unknown as AgentServiceRegistration;
}

export class ServiceFileError extends Error {}

/** The services defined in one config document. */
export function servicesFromDocument(doc: unknown, file: string): AgentServiceRegistration[] {
  if (!isObject(doc)) throw new ServiceFileError(`${file}: expected a JSON object with a "service" or "services" key`);
  const result: AgentServiceRegistration[] = [];
  for (const [k, v] of Object.entries(doc)) {
    const n = norm(k);
    if (n === 'service') {
      if (!isObject(v)) throw new ServiceFileError(`${file}: "service" must be an object`);
      result.push(translateService(v));
    } else if (n === 'services') {
      const list = Array.isArray(v) ? v : [v];
      for (const s of list) {
        if (!isObject(s)) throw new ServiceFileError(`${file}: each entry of "services" must be an object`);
        result.push(translateService(s));
      }
    }
  }
  if (result.length === 0) throw new ServiceFileError(`${file}: no "service" or "services" definition found`);
  return result;
}

/** A config document from a .json or .hcl file (HCL through the agent's parser, loaded lazily). */
async function parseDocument(file: string, text: string): Promise<unknown> {
  try {
    if (/\.hcl$/i.test(file)) {
      const { parseHcl } = await import('@proconsul/agent');
      return parseHcl(text);
    }
    return JSON.parse(text);
  } catch (err) {
    throw new ServiceFileError(`failed to parse ${file}: ${(err as Error).message}`);
  }
}

export async function servicesFromFiles(files: string[]): Promise<AgentServiceRegistration[]> {
  const all: AgentServiceRegistration[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new ServiceFileError(code === 'ENOENT' ? `open ${file}: no such file or directory` : `${file}: ${(err as Error).message}`);
    }
    all.push(...servicesFromDocument(await parseDocument(file, text), file));
  }
  return all;
}
