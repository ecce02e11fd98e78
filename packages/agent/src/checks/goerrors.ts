/** Node socket errors worded as Go's net package words them (Consul shows these as check output). */

export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]*):(\d+)$/.exec(address);
  if (m === null) throw new Error(`address ${address}: missing port in address`);
  return { host: m[1] === '' ? 'localhost' : (m[1] as string), port: Number(m[2]) };
}

/** `dial tcp 127.0.0.1:1: connect: connection refused` and friends. */
export function goDialError(err: NodeJS.ErrnoException, address: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${address}: connect: connection refused`;
    case 'ETIMEDOUT':
      return `dial tcp ${address}: i/o timeout`;
    case 'EHOSTUNREACH':
      return `dial tcp ${address}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${address}: connect: network is unreachable`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN': {
      const host = splitHostPortSafe(address);
      return `dial tcp: lookup ${host}: no such host`;
    }
    case 'ECONNRESET':
      return `read tcp ${address}: connection reset by peer`;
    default:
      return `dial tcp ${address}: ${err.message}`;
  }
}

function splitHostPortSafe(address: string): string {
  try {
    return splitHostPort(address).host;
  } catch {
    return address;
  }
}

/** Go's url.Error Op: "GET" -> "Get". */
export function urlErrorOp(method: string): string {
  return method.slice(0, 1).toUpperCase() + method.slice(1).toLowerCase();
}
