/**
 * A service given to PUT /v1/catalog/register: its Proxy decoded like the agent's (PascalCase or
 * snake_case keys, typed fields), then Consul's Catalog.Register check (servicePreApply:
 * NodeService.Validate), whose error the HTTP API returns as a 500 with the text.
 */
import { decodeObject, DecodeError } from '../checks/decode.js';
import { PROXY_SPEC } from '../config/proxy-spec.js';
import { badRequest, HttpError } from '../http/http-error.js';
import { multiError } from '../multi-error.js';
import { validateNodeService, type MeshFields } from './validate-service.js';

export function checkCatalogService(service: Record<string, unknown>): void {
  const proxy = service['Proxy'];
  if (proxy !== undefined && proxy !== null) {
    try {
      service['Proxy'] = decodeObject(proxy as Record<string, unknown>, PROXY_SPEC, 'Service.Proxy');
    } catch (err) {
      if (err instanceof DecodeError) throw badRequest(`Request decode failed: ${err.message}`);
      throw err;
    }
  }
  const errs = validateNodeService(service as MeshFields);
  if (errs.length > 0) throw new HttpError(500, multiError(errs));
}
