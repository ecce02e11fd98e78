/**
 * An agent service registration with its sidecar, shared by PUT /v1/agent/service/register and
 * the config files (Consul's AgentRegisterService and loadServices): validate, expand
 * `sidecar_service`, register the parent, then the sidecar with its port and default checks
 * (agent.go addServiceLocked).
 */
import type { ServiceDefinition } from '../config/index.js';
import { badRequest, HttpError } from '../http/http-error.js';
import type { LocalState } from '../local/local-state.js';
import { multiError } from '../multi-error.js';
import type { ServiceConfigResponse } from './central-config/resolve.js';
import { expandSidecar, sidecarDefaultChecks, sidecarPort, type SidecarPortRange } from './sidecar-service.js';
import { validateForAgent } from './validate-service.js';

export interface RegisterOptions {
  token: string;
  replaceExistingChecks: boolean;
  source: 'local' | 'remote';
  sidecarPorts: SidecarPortRange;
  /** Central defaults resolved for the services this registers, by service ID (central-config/watch.ts). */
  centralDefaults?: ReadonlyMap<string, ServiceConfigResponse>;
}

/** Registers `def` (already validated as a NodeService) and its sidecar; returns the service IDs registered. */
export function registerService(local: LocalState, def: ServiceDefinition, opts: RegisterOptions): string[] {
  const expanded = expandSidecar(def, opts.token);
  if (expanded) {
    const errs = validateForAgent(expanded.sidecar);
    if (errs.length > 0) throw badRequest(`Failed Validation: ${multiError(errs)}`);
  }
  const parent = expanded?.parent ?? def;
  const { sidecarPorts, centralDefaults, ...addOpts } = opts;
  const defaultsFor = (id: string): { centralDefaults?: ServiceConfigResponse } => {
    const d = centralDefaults?.get(id);
    return d ? { centralDefaults: d } : {};
  };
  const ids = [parent.ID || parent.Name];
  local.addService(parent, { ...addOpts, ...defaultsFor(ids[0]!) });
  if (!expanded) return ids;

  const sidecar = { ...expanded.sidecar };
  const id = sidecar.ID!;
  if (!(sidecar.Port! >= 1)) {
    try {
      sidecar.Port = sidecarPort(id, local.services(), sidecarPorts);
    } catch (err) {
      throw new HttpError(500, (err as Error).message);
    }
  }
  if (!sidecar.Check && (sidecar.Checks ?? []).length === 0) {
    sidecar.Checks = sidecarDefaultChecks(id, sidecar.Address ?? '', sidecar.Proxy?.LocalServiceAddress ?? '', sidecar.Port!);
  }
  local.addService(sidecar, { ...addOpts, token: expanded.token, locallyRegisteredAsSidecar: true, ...defaultsFor(id) });
  ids.push(id);
  return ids;
}
