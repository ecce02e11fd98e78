// consul-template's cluster peering and partition functions (template/funcs.go peeringsFunc,
// exportedServicesFunc, importedServicesFunc, partitionsFunc): each records its dependency and
// returns what the Brain holds, or an empty list until the first answer.

import type { FuncMap } from '../engine/exec.js';
import { variadic } from '../engine/exec.js';
import { recall, type RenderScope } from './funcs.js';
import { listExportedServicesQuery, listImportedServicesQuery, listPartitionsQuery, listPeeringsQuery, type Dependency } from './query.js';

function listOf(scope: RenderScope, d: Dependency): unknown[] {
  const r = recall<unknown[]>(scope, d);
  return r.ok ? r.value : [];
}

export function peeringFuncs(scope: RenderScope): FuncMap {
  return {
    // `peerings` or `peerings "?partition=p"`: the arguments are joined, as in Go.
    peerings: variadic((...s: string[]) => listOf(scope, listPeeringsQuery(s.join('')))),
    exportedServices: variadic((...s: string[]) => {
      if (s.length > 1) throw new Error('exportedServices: wrong number of arguments, expected 0 or 1');
      return listOf(scope, listExportedServicesQuery(s.join('')));
    }),
    importedServices: (partition: string) => {
      if (partition === '') throw new Error('importedServices: partition name is required');
      return listOf(scope, listImportedServicesQuery(partition));
    },
    partitions: () => listOf(scope, listPartitionsQuery()),
  };
}
