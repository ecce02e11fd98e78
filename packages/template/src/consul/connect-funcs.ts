// consul-template's service-mesh functions (template/funcs.go connectFunc, connectCARootsFunc,
// connectLeafFunc): `connect "<query>"` lists the instances that take Connect traffic for a
// service (its sidecar proxies and Connect-native instances) with `service`'s grammar and
// filters; `caRoots` the CA's trusted roots; `caLeaf "<service>"` a leaf certificate for the
// service. As the other Consul functions, a value not fetched yet is recorded as missing.

import type { FuncMap } from '../engine/exec.js';
import { variadic } from '../engine/exec.js';
import type { CARoot, LeafCert } from './connect-data.js';
import type { HealthService } from './data.js';
import { recall, type RenderScope } from './funcs.js';
import { connectCARootsQuery, connectLeafQuery, healthServiceQuery } from './query.js';

export function connectFuncs(scope: RenderScope): FuncMap {
  return {
    connect: variadic((...s: string[]) => {
      if (s.length === 0 || !s[0]) return [];
      const r = recall<HealthService[]>(scope, healthServiceQuery(s.join('|'), true));
      return r.ok ? r.value : [];
    }),
    // Arguments are accepted and ignored, as consul-template's func(...string).
    caRoots: variadic((..._ignored: string[]) => {
      const r = recall<CARoot[]>(scope, connectCARootsQuery());
      return r.ok ? r.value : null;
    }),
    // Only the first argument names the service; nil (no dependency) without one.
    caLeaf: variadic((...s: string[]) => {
      if (s.length === 0 || !s[0]) return null;
      const r = recall<LeafCert>(scope, connectLeafQuery(s[0]));
      return r.ok ? r.value : null;
    }),
  };
}
