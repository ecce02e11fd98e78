/**
 * Node, Service and Check operations inside PUT /v1/txn, as Consul's state store runs them
 * (txnNode, txnService, txnCheck): set, cas, get, delete, delete-cas, with its error texts.
 * Each write saves its node in the transaction's `CatalogUndo` before it changes anything, so
 * a transaction that fails later is rolled back whole.
 */
import type { CatalogUndo } from './catalog-undo.js';
import { virtualIPError } from './virtual-ip-writes.js';
import { checkRecord, deleteCheck, deleteNode, deleteService, ensureCheck, ensureNode, ensureService, nodeIdInUse, serviceRecord } from './catalog-writes.js';
import type { TxnCheckOp, TxnNodeOp, TxnResult, TxnServiceOp } from './commands.js';
import { toCatalogNode, toHealthCheck, toNodeService } from './records.js';
import type { CatalogStore } from './store.js';
import { lower } from './util.js';
import { validateMeta, validateNodeID } from './validate.js';

/** What one operation gives: its results, or the error that rolls the transaction back. */
export type OpOutcome = { results: TxnResult[] } | { error: string };

const NONE: OpOutcome = { results: [] };

/** The context of one transaction's catalog operations. */
export interface CatalogTxn {
  st: CatalogStore;
  idx: number;
  datacenter: string;
  /** Absent in a read-only transaction, which runs only get verbs. */
  undo?: CatalogUndo;
}

/**
 * Whether the index in `want` allows a write over `existing`: Consul's CAS, where 0 means
 * "must not exist" and any other value must equal the entry's ModifyIndex.
 */
function casMatches(want: number | undefined, existing: { ModifyIndex: number } | undefined): boolean {
  const mi = want ?? 0;
  return mi === 0 ? existing === undefined : existing !== undefined && existing.ModifyIndex === mi;
}

function save(t: CatalogTxn, nodeKey: string): void {
  t.undo?.saveNode(nodeKey);
}

/** delete and delete-cas: deleting what is not there is no error; delete-cas needs the entry at its index. */
function remove(
  t: CatalogTxn,
  nodeKey: string,
  verb: 'delete' | 'delete-cas',
  existing: { ModifyIndex: number } | undefined,
  want: number | undefined,
  stale: string,
  run: () => void,
): OpOutcome {
  if (verb === 'delete-cas' && (!existing || existing.ModifyIndex !== (want ?? 0))) return { error: stale };
  if (!existing) return NONE;
  save(t, nodeKey);
  run();
  return NONE;
}

export function txnNode(t: CatalogTxn, op: TxnNodeOp): OpOutcome {
  const { st, idx } = t;
  const n = op.Node;
  const name = n.Node ?? '';
  const q = JSON.stringify(name);
  const nodeKey = lower(name);
  const existing = st.nodeTable.get(nodeKey);
  const result = (): OpOutcome => ({ results: [{ Node: toCatalogNode(st.nodeTable.get(nodeKey)!, t.datacenter) }] });
  if (op.Verb === 'get') {
    const found = n.ID ? st.nodeById(n.ID) : existing;
    return found ? { results: [{ Node: toCatalogNode(found, t.datacenter) }] } : { error: `node ${q} doesn't exist` };
  }
  // Consul's nodePreApply, for every verb but get.
  if (name === '') return { error: 'Must provide node' };
  const badID = n.ID ? validateNodeID(n.ID) : undefined;
  if (badID) return { error: badID };
  switch (op.Verb) {
    case 'set':
    case 'cas': {
      if (op.Verb === 'cas' && !casMatches(n.ModifyIndex, existing)) return { error: `failed to set node ${q}, index is stale` };
      const inUse = n.ID ? nodeIdInUse(st, n.ID, nodeKey) : undefined;
      if (inUse) return { error: inUse };
      save(t, nodeKey);
      ensureNode(st, idx, {
        ID: n.ID || existing?.ID || '',
        Node: name,
        Address: n.Address ?? '',
        TaggedAddresses: n.TaggedAddresses ? { ...n.TaggedAddresses } : null,
        Meta: n.Meta ? { ...n.Meta } : null,
        CreateIndex: idx,
        ModifyIndex: idx,
      });
      return result();
    }
    case 'delete':
    case 'delete-cas':
      return remove(t, nodeKey, op.Verb, existing, n.ModifyIndex, `failed to delete node ${q}, index is stale`, () => deleteNode(st, idx, nodeKey));
    default:
      return { error: `unknown Node verb ${JSON.stringify(op.Verb)}` };
  }
}

export function txnService(t: CatalogTxn, op: TxnServiceOp): OpOutcome {
  const { st, idx } = t;
  const nodeName = op.Node ?? '';
  const nodeKey = lower(nodeName);
  const svc = op.Service;
  // Consul's servicePreApply (skipped for get): the ID defaults to the name.
  const id = op.Verb === 'get' ? (svc.ID ?? '') : svc.ID || svc.Service || '';
  const where = `service ${JSON.stringify(id)} on node ${JSON.stringify(nodeName)}`;
  const existing = st.serviceTable.get(nodeKey)?.get(lower(id));
  if (op.Verb === 'get') return existing ? { results: [{ Service: toNodeService(existing) }] } : { error: `${where} doesn't exist` };
  const rec = serviceRecord(st.nodeTable.get(nodeKey)?.Node ?? nodeName, { ...svc, ID: id }, idx);
  if (typeof rec === 'string') return { error: rec };
  switch (op.Verb) {
    case 'set':
    case 'cas': {
      if (op.Verb === 'cas' && !casMatches(svc.ModifyIndex, existing)) return { error: `failed to set ${where}, index is stale` };
      const badMeta = validateMeta(svc.Meta);
      if (badMeta) return { error: `Invalid Service Meta for node ${nodeName} and serviceID ${id}: ${badMeta}` };
      if (!st.nodeTable.has(nodeKey)) return { error: 'Missing node registration' };
      const vipError = virtualIPError(st, rec);
      if (vipError) return { error: vipError };
      save(t, nodeKey);
      ensureService(st, idx, nodeKey, rec);
      return { results: [{ Service: toNodeService(st.serviceTable.get(nodeKey)!.get(lower(id))!) }] };
    }
    case 'delete':
    case 'delete-cas':
      return remove(t, nodeKey, op.Verb, existing, svc.ModifyIndex, `failed to delete ${where}, index is stale`, () => deleteService(st, idx, nodeKey, lower(id)));
    default:
      return { error: `unknown Service verb ${JSON.stringify(op.Verb)}` };
  }
}

export function txnCheck(t: CatalogTxn, op: TxnCheckOp): OpOutcome {
  const { st, idx } = t;
  const ch = op.Check;
  const nodeName = ch.Node ?? '';
  const nodeKey = lower(nodeName);
  // Consul's checkPreApply (skipped for get): the ID defaults to the name.
  const id = op.Verb === 'get' ? (ch.CheckID ?? '') : ch.CheckID || ch.Name || '';
  const where = `check ${JSON.stringify(id)} on node ${JSON.stringify(nodeName)}`;
  const existing = st.checkTable.get(nodeKey)?.get(lower(id));
  switch (op.Verb) {
    case 'get':
      return existing ? { results: [{ Check: toHealthCheck(existing) }] } : { error: `${where} doesn't exist` };
    case 'set':
    case 'cas': {
      if (op.Verb === 'cas' && !casMatches(ch.ModifyIndex, existing)) return { error: `failed to set ${where}, index is stale` };
      const node = st.nodeTable.get(nodeKey);
      if (!node) return { error: 'Missing node registration' };
      const rec = checkRecord(node.Node, { ...ch, CheckID: id }, (sid) => st.serviceTable.get(nodeKey)?.get(lower(sid)), idx);
      if (typeof rec === 'string') return { error: rec };
      save(t, nodeKey);
      ensureCheck(st, idx, nodeKey, rec);
      return { results: [{ Check: toHealthCheck(st.checkTable.get(nodeKey)!.get(lower(id))!) }] };
    }
    case 'delete':
    case 'delete-cas':
      return remove(t, nodeKey, op.Verb, existing, ch.ModifyIndex, `failed to delete ${where}, index is stale`, () => deleteCheck(st, idx, nodeKey, lower(id)));
    default:
      return { error: `unknown Check verb ${JSON.stringify(op.Verb)}` };
  }
}
