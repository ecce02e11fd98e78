/**
 * @proconsul/sockaddr: hashicorp/go-sockaddr's template language (`{{ GetPrivateIP }}`,
 * `{{ GetAllInterfaces | include "network" "10.0.0.0/8" | attr "address" }}`) over this host's
 * interfaces. The agent evaluates its address keys with it (as Consul does) and
 * proconsul-template its `sockaddr` function (as consul-template does): one implementation for
 * both. Node-only: it reads os.networkInterfaces(), /sys/class/net and /proc/net/route.
 */
export { evalSockaddrTemplate, sockaddrEnv, SockaddrTemplateError, SOCKADDR_FUNCTIONS } from './template.js';
export { FLAG, LINUX_READERS, type IfAddr, type Interfaces, type LinkFacts, type NetworkHost, type NetworkReaders } from './ifaddrs.js';
export type { SockaddrEnv } from './funcs.js';
// Go's strconv texts, which go-sockaddr's messages carry; the agent's other Go-worded messages use them too.
export { goQuote, goParseInt, goParseFloat } from './go-text.js';
