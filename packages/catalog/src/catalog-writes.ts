/**
 * Catalog writes: register (node + service + checks, all or nothing, as
 * PUT /v1/catalog/register), deregister (service, check or node with everything on it), and
 * check status updates. An identical re-registration moves no index; a change keeps
 * CreateIndex and sets ModifyIndex. A check turning critical or going away invalidates the
 * sessions linked to it.
 */
import { COORDINATES_WATCH_KEY } from './coordinates.js';
import { connectNameOf } from './connect-index.js';
import type { ApplyResult, CheckStatusCommand, DeregisterCommand, RegisterCheckInput, RegisterCommand, RegisterServiceInput } from './commands.js';
import type { CheckRecord, NodeRecord, ServiceRecord } from './records.js';
import { invalidateSession, invalidateSessionsOfCheck } from './session-writes.js';
import { registerShapeError } from './shape-check.js';
import type { CatalogStore } from './store.js';
import { fail, lower, ok, sameContent } from './util.js';
import { isAnyAddress, isCheckStatus, validateNodeID } from './validate.js';
import { freeVirtualIPIfUnused, virtualIPError, withVirtualIP } from './virtual-ip-writes.js';

export function register(st: CatalogStore, idx: number, c: RegisterCommand): ApplyResult {
  if (typeof c.Node !== 'string' || c.Node === '') return fail('Must provide node');
  const shape = registerShapeError(c as unknown as Record<string, unknown>);
  if (shape) return fail(shape);
  if (!c.SkipNodeUpdate && !c.Address) return fail('Must provide address if SkipNodeUpdate is not set');
  const nodeKey = lower(c.Node);
  const existingNode = st.nodeTable.get(nodeKey);
  const updateNode = !c.SkipNodeUpdate || existingNode === undefined;
  if (c.ID) {
    const bad = validateNodeID(c.ID) ?? (updateNode ? nodeIdInUse(st, c.ID, nodeKey) : undefined);
    if (bad) return fail(bad);
  }

  // Validate everything before changing anything: a registration is all or nothing.
  const nodeName = updateNode ? c.Node : existingNode!.Node;
  let service: ServiceRecord | undefined;
  if (c.Service) {
    const built = serviceRecord(nodeName, c.Service, idx);
    if (typeof built === 'string') return fail(built);
    const vipError = virtualIPError(st, built);
    if (vipError) return fail(vipError);
    service = built;
  }
  const inputs: RegisterCheckInput[] = [...(c.Check ? [c.Check] : []), ...(c.Checks ?? [])];
  const checks: CheckRecord[] = [];
  for (const ch of inputs) {
    const checkNode = ch.Node || c.Node;
    if (lower(checkNode) !== nodeKey) {
      return fail(`check node ${JSON.stringify(checkNode)} does not match node ${JSON.stringify(c.Node)}`);
    }
    const serviceOf = (id: string): ServiceRecord | undefined =>
      service && lower(service.ID) === lower(id) ? service : st.serviceTable.get(nodeKey)?.get(lower(id));
    const built = checkRecord(nodeName, ch, serviceOf, idx);
    if (typeof built === 'string') return fail(built);
    checks.push(built);
  }

  if (updateNode) {
    ensureNode(st, idx, {
      ID: c.ID || existingNode?.ID || '',
      Node: c.Node,
      Address: c.Address ?? '',
      TaggedAddresses: c.TaggedAddresses ? { ...c.TaggedAddresses } : null,
      Meta: c.NodeMeta ? { ...c.NodeMeta } : null,
      CreateIndex: idx,
      ModifyIndex: idx,
    });
  }
  if (service) ensureService(st, idx, nodeKey, service);
  for (const check of checks) ensureCheck(st, idx, nodeKey, check);
  return ok();
}

/** Consul's error when `id` already names a node other than `nodeKey`, else undefined. */
export function nodeIdInUse(st: CatalogStore, id: string, nodeKey: string): string | undefined {
  const n = st.nodeById(id);
  if (n && lower(n.Node) !== nodeKey) {
    return `failed inserting node: Error while renaming Node ID: "${id}": node ID is in use by node ${n.Node} (${n.Address})`;
  }
  return undefined;
}

/** The record of service `s` on node `nodeName` written at `idx`, or Consul's error text. */
export function serviceRecord(nodeName: string, s: RegisterServiceInput, idx: number): ServiceRecord | string {
  if (!s.Service) return 'Must provide service name with ID';
  if (s.Address && isAnyAddress(s.Address)) return 'Invalid service address';
  return {
    Node: nodeName,
    Kind: s.Kind ?? '',
    ID: s.ID || s.Service,
    Service: s.Service,
    Tags: s.Tags ? [...s.Tags] : [],
    Address: s.Address ?? '',
    TaggedAddresses: s.TaggedAddresses && Object.keys(s.TaggedAddresses).length > 0 ? { ...s.TaggedAddresses } : null,
    Meta: s.Meta ? { ...s.Meta } : {},
    Port: s.Port ?? 0,
    SocketPath: s.SocketPath ?? '',
    Weights: s.Weights ? { Passing: s.Weights.Passing, Warning: s.Weights.Warning } : { Passing: 1, Warning: 1 },
    EnableTagOverride: s.EnableTagOverride === true,
    Proxy: s.Proxy ? { ...s.Proxy } : null,
    Connect: s.Connect ? { ...s.Connect } : null,
    CreateIndex: idx,
    ModifyIndex: idx,
  };
}

/**
 * The record of check `ch` on node `nodeName` written at `idx` (ID defaults to the name, status
 * to critical; a service check takes its instance's name and tags), or Consul's error text.
 */
export function checkRecord(
  nodeName: string,
  ch: RegisterCheckInput,
  serviceOf: (id: string) => ServiceRecord | undefined,
  idx: number,
): CheckRecord | string {
  const checkID = ch.CheckID || ch.Name || '';
  if (checkID === '') return 'Missing check ID';
  const status = ch.Status || 'critical';
  if (!isCheckStatus(status)) return `Invalid check status: '${status}'`;
  const bound = ch.ServiceID ? serviceOf(ch.ServiceID) : undefined;
  if (ch.ServiceID && !bound) return 'Missing service registration';
  return {
    Node: nodeName,
    CheckID: checkID,
    Name: ch.Name ?? '',
    Status: status,
    Notes: ch.Notes ?? '',
    Output: ch.Output ?? '',
    ServiceID: bound?.ID ?? '',
    ServiceName: bound?.Service ?? '',
    ServiceTags: bound ? [...bound.Tags] : [],
    Type: ch.Type ?? '',
    Interval: ch.Interval ?? '',
    Timeout: ch.Timeout ?? '',
    ExposedPort: ch.ExposedPort ?? 0,
    Definition: ch.Definition ? { ...ch.Definition } : {},
    CreateIndex: idx,
    ModifyIndex: idx,
  };
}

export function ensureNode(st: CatalogStore, idx: number, rec: NodeRecord): void {
  const key = lower(rec.Node);
  const old = st.nodeTable.get(key);
  if (old) {
    if (sameContent(old, rec)) return;
    rec.CreateIndex = old.CreateIndex;
  }
  st.setNode(key, rec);
  st.nodesChanged();
  st.bumpTable('nodes', idx);
  st.bumpNodeServices(key, idx);
}

export function ensureService(st: CatalogStore, idx: number, nodeKey: string, input: ServiceRecord): void {
  // The virtual IP is part of the record, so an identical re-registration still moves nothing.
  const rec = withVirtualIP(st, idx, input);
  const idKey = lower(rec.ID);
  let services = st.serviceTable.get(nodeKey);
  const old = services?.get(idKey);
  if (old) {
    if (sameContent(old, rec)) return;
    rec.CreateIndex = old.CreateIndex;
  }
  if (!services) {
    services = new Map();
    st.serviceTable.set(nodeKey, services);
  }
  services.set(idKey, rec);
  if (old && lower(old.Service) !== lower(rec.Service)) unindexInstance(st, nodeKey, old, idx);
  const nameKey = lower(rec.Service);
  st.indexInstance(nodeKey, rec);
  st.bumpTable('services', idx);
  st.bumpService(nameKey, idx);
  bumpConnectName(st, idx, rec);
  if (old) bumpConnectName(st, idx, old);

  // Checks bound to the instance carry its name and tags.
  const checks = st.checkTable.get(nodeKey);
  if (!checks) return;
  for (const [checkKey, ch] of checks) {
    if (lower(ch.ServiceID) !== idKey) continue;
    if (ch.ServiceName === rec.Service && JSON.stringify(ch.ServiceTags) === JSON.stringify(rec.Tags)) continue;
    checks.set(checkKey, { ...ch, ServiceName: rec.Service, ServiceTags: [...rec.Tags], ModifyIndex: idx });
    st.bumpTable('checks', idx);
  }
}

export function unindexInstance(st: CatalogStore, nodeKey: string, rec: ServiceRecord, idx: number): void {
  st.unindexInstance(nodeKey, rec);
  st.bumpService(lower(rec.Service), idx);
  bumpConnectName(st, idx, rec);
}

/** A proxy came, changed or went: readers of its destination's connect instances must wake. */
function bumpConnectName(st: CatalogStore, idx: number, rec: ServiceRecord): void {
  const name = connectNameOf(rec);
  if (name !== undefined) st.bumpService(name, idx);
}

export function ensureCheck(st: CatalogStore, idx: number, nodeKey: string, rec: CheckRecord): void {
  const checkKey = lower(rec.CheckID);
  let checks = st.checkTable.get(nodeKey);
  const old = checks?.get(checkKey);
  if (old) {
    if (sameContent(old, rec)) return;
    rec.CreateIndex = old.CreateIndex;
  }
  if (!checks) {
    checks = new Map();
    st.checkTable.set(nodeKey, checks);
  }
  checks.set(checkKey, rec);
  checkChanged(st, idx, nodeKey, rec);
  // A check that moved (node level <-> a service, or between services) also changed what its old readers see.
  if (old && lower(old.ServiceID) !== lower(rec.ServiceID)) checkChanged(st, idx, nodeKey, old);
  if (rec.Status === 'critical') invalidateSessionsOfCheck(st, nodeKey, rec.CheckID, idx);
}

/** Index bookkeeping after a check was written or deleted. */
export function checkChanged(st: CatalogStore, idx: number, nodeKey: string, rec: CheckRecord): void {
  st.bumpTable('checks', idx);
  if (rec.ServiceID === '') {
    st.bumpNodeServices(nodeKey, idx);
    return;
  }
  const svc = st.serviceTable.get(nodeKey)?.get(lower(rec.ServiceID));
  st.bumpService(lower(svc?.Service ?? rec.ServiceName), idx);
}

export function deregister(st: CatalogStore, idx: number, c: DeregisterCommand): ApplyResult {
  if (typeof c.Node !== 'string' || c.Node === '') return fail('Must provide node');
  if (!(c.ServiceID === undefined || typeof c.ServiceID === 'string') || !(c.CheckID === undefined || typeof c.CheckID === 'string')) {
    return fail('Invalid ServiceID or CheckID: expected a string');
  }
  const nodeKey = lower(c.Node);
  if (!st.nodeTable.has(nodeKey)) return ok();
  if (c.ServiceID) deleteService(st, idx, nodeKey, lower(c.ServiceID));
  else if (c.CheckID) deleteCheck(st, idx, nodeKey, lower(c.CheckID));
  else deleteNode(st, idx, nodeKey);
  return ok();
}

export function deleteService(st: CatalogStore, idx: number, nodeKey: string, idKey: string): void {
  const services = st.serviceTable.get(nodeKey);
  const svc = services?.get(idKey);
  if (!services || !svc) return;
  const checks = st.checkTable.get(nodeKey);
  if (checks) {
    for (const [checkKey, ch] of [...checks]) if (lower(ch.ServiceID) === idKey) deleteCheck(st, idx, nodeKey, checkKey);
  }
  services.delete(idKey);
  if (services.size === 0) st.serviceTable.delete(nodeKey);
  unindexInstance(st, nodeKey, svc, idx);
  st.bumpTable('services', idx);
  freeVirtualIPIfUnused(st, idx, svc.Service);
}

export function deleteCheck(st: CatalogStore, idx: number, nodeKey: string, checkKey: string): void {
  const checks = st.checkTable.get(nodeKey);
  const ch = checks?.get(checkKey);
  if (!checks || !ch) return;
  checks.delete(checkKey);
  if (checks.size === 0) st.checkTable.delete(nodeKey);
  checkChanged(st, idx, nodeKey, ch);
  invalidateSessionsOfCheck(st, nodeKey, ch.CheckID, idx);
}

export function deleteNode(st: CatalogStore, idx: number, nodeKey: string): void {
  for (const idKey of [...(st.serviceTable.get(nodeKey)?.keys() ?? [])]) deleteService(st, idx, nodeKey, idKey);
  for (const checkKey of [...(st.checkTable.get(nodeKey)?.keys() ?? [])]) deleteCheck(st, idx, nodeKey, checkKey);
  for (const s of st.sessionsOn(nodeKey)) invalidateSession(st, s.ID, idx);
  st.deleteNodeRecord(nodeKey);
  if (st.coordinates.deleteNode(nodeKey, idx)) st.touched.add(COORDINATES_WATCH_KEY);
  st.nodesChanged();
  st.bumpTable('nodes', idx);
}

export function checkStatus(st: CatalogStore, idx: number, c: CheckStatusCommand): ApplyResult {
  if (typeof c.Node !== 'string' || typeof c.CheckID !== 'string' || !(c.Output === undefined || typeof c.Output === 'string')) {
    return fail('Invalid CheckStatus: Node, CheckID and Output must be strings');
  }
  const nodeKey = lower(c.Node);
  const checks = st.checkTable.get(nodeKey);
  const old = checks?.get(lower(c.CheckID));
  if (!checks || !old) return fail(`Check "${c.CheckID}" for node "${c.Node}" does not exist`);
  if (!isCheckStatus(c.Status)) return fail(`Invalid check status: '${c.Status}'`);
  const rec: CheckRecord = { ...old, Status: c.Status, Output: c.Output ?? old.Output, ModifyIndex: idx };
  ensureCheck(st, idx, nodeKey, rec);
  return ok();
}
