// consul-template's `sockaddr` (template/funcs.go): its arguments, joined by spaces, run as the
// go-sockaddr template `{{ <args> }}` over this host's interfaces, e.g.
// `{{ sockaddr "GetPrivateIP" }}` or `{{ sockaddr "GetAllInterfaces | include \"name\" \"eth0\" | attr \"address\"" }}`.
// The evaluator is the one the agent runs on its address keys (@proconsul/sockaddr).

import os from 'node:os';
import { evalSockaddrTemplate, LINUX_READERS, sockaddrEnv, type NetworkHost } from '@proconsul/sockaddr';
import { variadic, type FuncMap } from '../engine/exec.js';

/** The host a template reads: this machine unless a test gives fixed interfaces. */
export type SockaddrHost = () => NetworkHost;

const thisHost: SockaddrHost = () => ({ interfaces: os.networkInterfaces(), ...LINUX_READERS });

export function sockaddrFuncs(host: SockaddrHost = thisHost): FuncMap {
  return {
    // Each call reads the interfaces afresh, as go-sockaddr's template.Parse does.
    sockaddr: variadic((...args: string[]) => evalSockaddrTemplate(`{{ ${args.join(' ')} }}`, sockaddrEnv(host()))),
  };
}
