// Consul's convertOps (agent/txn_endpoint.go): a PUT /v1/txn body, in the API's shapes, as the
// catalog's operations, with Consul's limits and texts. Node, Service and Check operations
// carry only the fields Consul copies: a Service's Kind, tagged addresses, Proxy and Connect
// are dropped, and its Weights are taken as given (0/0 when absent, as in Consul).
import { formatGoDuration, parseGoDuration, type HealthCheckDefinition, type TxnKVOp, type TxnOp } from '@proconsul/catalog';
import { decodeStruct, DecodeError } from './decode-struct.js';
import { goBase64Error } from './go-base64.js';
import { badRequest, HttpError } from './http-error.js';
import { parseUint64 } from './routes/kv.js';
import { txnOpSchema } from './schemas.js';

/** Consul's maxTxnOps. */
export const TXN_OPS_MAX = 128;

/** KV Flags are uint64: digits beyond 2^53 are read as marked text first, to stay exact. */
const BIG_FLAGS_RE = /(?<!\\)("flags"\s*:\s*)(\d{16,})/gi;
const U64_MARK = '\u0000u64:';

type Rec = Record<string, unknown>;

const parseFailed = (msg: string): HttpError => badRequest(`Failed to parse body: ${msg}`);

function txnFlags(v: unknown): number | bigint | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v.startsWith(U64_MARK)) return parseUint64(v.slice(U64_MARK.length));
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  const kind = typeof v === 'string' ? 'string' : typeof v === 'number' ? `number ${v}` : typeof v;
  throw parseFailed(`json: cannot unmarshal ${kind} into Go struct field KVTxnOp.Flags of type uint64`);
}

function kvOp(kv: TxnKVOp, kvMaxValueSize: number): TxnKVOp {
  if (kv.Value !== undefined && kv.Value !== null && typeof kv.Value !== 'string') {
    const kind = Array.isArray(kv.Value) ? 'array' : typeof kv.Value === 'boolean' ? 'bool' : typeof kv.Value;
    throw parseFailed(`json: cannot unmarshal ${kind} into Go struct field KVTxnOp.Value of type []uint8`);
  }
  const badValue = typeof kv.Value === 'string' ? goBase64Error(kv.Value) : undefined;
  if (badValue) throw parseFailed(badValue);
  const size = typeof kv.Value === 'string' ? Buffer.from(kv.Value, 'base64').length : 0;
  if (size > kvMaxValueSize) throw new HttpError(413, `Value for key "${kv.Key}" is too large (${size} > ${kvMaxValueSize} bytes)`);
  return { ...kv, Flags: txnFlags(kv.Flags) };
}

/** A ReadableDuration (Go duration text, or nanoseconds) as Go prints it; undefined when zero. */
function duration(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw parseFailed(`json: cannot unmarshal ${typeof v} into Go value of type api.ReadableDuration`);
  let ms: number;
  try {
    ms = parseGoDuration(v);
  } catch (err) {
    throw parseFailed((err as Error).message);
  }
  return ms === 0 ? undefined : formatGoDuration(ms);
}

/** The check definition fields Consul keeps, in the order its JSON has them (empty ones left out). */
function definition(d: Rec | undefined): HealthCheckDefinition {
  if (!d) return {};
  const out: Rec = {
    Interval: duration(d['Interval']) ?? duration(d['IntervalDuration']),
    Timeout: duration(d['Timeout']) ?? duration(d['TimeoutDuration']),
    DeregisterCriticalServiceAfter: duration(d['DeregisterCriticalServiceAfter']) ?? duration(d['DeregisterCriticalServiceAfterDuration']),
    HTTP: d['HTTP'] || undefined,
    TLSSkipVerify: d['TLSSkipVerify'] || undefined,
    Header: d['Header'] && Object.keys(d['Header']).length > 0 ? d['Header'] : undefined,
    Method: d['Method'] || undefined,
    Body: d['Body'] || undefined,
    TCP: d['TCP'] || undefined,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as HealthCheckDefinition;
}

function catalogOp(op: Rec): TxnOp {
  if (op['Node']) {
    const { Verb, Node: n = {} } = op['Node'] as { Verb?: string; Node?: Rec };
    return {
      Node: {
        Verb: (Verb ?? '') as 'set',
        Node: {
          ID: (n['ID'] as string) ?? '',
          Node: (n['Node'] as string) ?? '',
          Address: (n['Address'] as string) ?? '',
          TaggedAddresses: (n['TaggedAddresses'] as Record<string, string>) ?? null,
          Meta: (n['Meta'] as Record<string, string>) ?? null,
          ModifyIndex: (n['ModifyIndex'] as number) ?? 0,
        },
      },
    };
  }
  if (op['Service']) {
    const { Verb, Node, Service: s = {} } = op['Service'] as { Verb?: string; Node?: string; Service?: Rec };
    const w = (s['Weights'] ?? {}) as { Passing?: number; Warning?: number };
    return {
      Service: {
        Verb: (Verb ?? '') as 'set',
        Node: Node ?? '',
        Service: {
          ID: (s['ID'] as string) ?? '',
          Service: (s['Service'] as string) ?? '',
          Tags: (s['Tags'] as string[]) ?? null,
          Address: (s['Address'] as string) ?? '',
          Meta: (s['Meta'] as Record<string, string>) ?? null,
          Port: (s['Port'] as number) ?? 0,
          Weights: { Passing: w.Passing ?? 0, Warning: w.Warning ?? 0 },
          EnableTagOverride: (s['EnableTagOverride'] as boolean) ?? false,
          ModifyIndex: (s['ModifyIndex'] as number) ?? 0,
        },
      },
    };
  }
  const { Verb, Check: c = {} } = op['Check'] as { Verb?: string; Check?: Rec };
  const text = (k: string): string => (c[k] as string) ?? '';
  return {
    Check: {
      Verb: (Verb ?? '') as 'set',
      Check: {
        Node: text('Node'),
        CheckID: text('CheckID'),
        Name: text('Name'),
        Status: text('Status'),
        Notes: text('Notes'),
        Output: text('Output'),
        ServiceID: text('ServiceID'),
        Definition: definition(c['Definition'] as Rec | undefined),
        ModifyIndex: (c['ModifyIndex'] as number) ?? 0,
      },
    },
  };
}

/**
 * A PUT /v1/txn body as catalog operations; throws Consul's 400 (undecodable) and 413 (too
 * many operations, a value too large).
 */
export function parseTxnOps(body: Buffer, kvMaxValueSize: number): TxnOp[] {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8').replace(BIG_FLAGS_RE, (_m, pre: string, digits: string) => `${pre}"\\u0000u64:${digits}"`));
  } catch (err) {
    throw parseFailed((err as Error).message);
  }
  if (!Array.isArray(raw)) throw parseFailed('json: cannot unmarshal object into Go value of type api.TxnOps');
  if (raw.length > TXN_OPS_MAX) throw new HttpError(413, `Transaction contains too many operations (${raw.length} > ${TXN_OPS_MAX})`);
  return raw.flatMap((item): TxnOp[] => {
    let op: Rec;
    try {
      op = decodeStruct(item, txnOpSchema);
    } catch (err) {
      if (err instanceof DecodeError) throw parseFailed(err.message);
      throw err;
    }
    // Consul's convertOps takes the first of KV, Node, Service, Check that is set, and drops an empty op.
    if (op['KV']) return [{ KV: kvOp(op['KV'] as unknown as TxnKVOp, kvMaxValueSize) }];
    return op['Node'] || op['Service'] || op['Check'] ? [catalogOp(op)] : [];
  });
}
