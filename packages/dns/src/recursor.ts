// Forwarding names outside the domain to `recursors` (handleRecurse): the first reply with
// NOERROR or NXDOMAIN (or a truncated one) is relayed as it is; anything else, or a timeout,
// moves on to the next recursor.
import { createSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import type { Answer } from './codec.js';
import { dnsPacket } from './codec.js';

export interface RecursorAddress {
  host: string;
  port: number;
}

/** `ip`, `ip:port`, `[v6]:port` or a bare IPv6 address; port 53 by default. */
export function parseRecursor(text: string): RecursorAddress {
  const t = text.trim();
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracket) return checked(bracket[1]!, bracket[2], text);
  if (isIP(t) === 6) return { host: t, port: 53 };
  const colon = t.lastIndexOf(':');
  if (colon > 0) return checked(t.slice(0, colon), t.slice(colon + 1), text);
  return checked(t, undefined, text);
}

function checked(host: string, port: string | undefined, text: string): RecursorAddress {
  const p = port === undefined ? 53 : Number(port);
  if (isIP(host) === 0 || !Number.isInteger(p) || p < 1 || p > 65535) {
    throw new Error(`Invalid recursor address: ${JSON.stringify(text)}`);
  }
  return { host, port: p };
}

const MAX_TCP_REPLY = 65535;

/** One exchange over UDP; resolves undefined on timeout or error. */
export function exchangeUdp(server: RecursorAddress, packet: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
    const id = packet.readUInt16BE(0);
    let done = false;
    const finish = (reply: Buffer | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('error', () => finish(undefined));
    socket.on('message', (msg, rinfo) => {
      // Only a response to our id from the server we asked.
      if (rinfo.port !== server.port || msg.length < 12 || msg.readUInt16BE(0) !== id || !(msg[2]! & 0x80)) return;
      finish(msg);
    });
    socket.send(packet, server.port, server.host, (err) => {
      if (err) finish(undefined);
    });
  });
}

/** One exchange over TCP (2-byte length framing); resolves undefined on timeout or error. */
export function exchangeTcp(server: RecursorAddress, packet: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: server.host, port: server.port });
    let buffered = Buffer.alloc(0);
    let done = false;
    const finish = (reply: Buffer | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(packet.length);
      socket.write(Buffer.concat([length, packet]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length > MAX_TCP_REPLY + 2) return finish(undefined);
      if (buffered.length < 2) return;
      const length = buffered.readUInt16BE(0);
      if (buffered.length >= 2 + length) finish(buffered.subarray(2, 2 + length));
    });
  });
}

export interface Forwarder {
  /** Relay a raw query; undefined when every recursor failed. */
  forward(packet: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined>;
  /** A records for an outside name (CNAME targets), over UDP. */
  resolveA(name: string): Promise<Answer[]>;
}

export function createForwarder(
  recursors: RecursorAddress[],
  timeoutMs: number,
  strategy: 'sequential' | 'random',
): Forwarder {
  const order = (): RecursorAddress[] => {
    if (strategy === 'sequential') return recursors;
    const out = recursors.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  const acceptable = (reply: Buffer): boolean => {
    const rcode = reply[3]! & 0xf;
    const truncated = (reply[2]! & 0x02) !== 0;
    return rcode === 0 || rcode === 3 || truncated;
  };
  return {
    async forward(packet, transport) {
      for (const r of order()) {
        const reply = transport === 'tcp' ? await exchangeTcp(r, packet, timeoutMs) : await exchangeUdp(r, packet, timeoutMs);
        if (reply && acceptable(reply)) return reply;
      }
      return undefined;
    },
    async resolveA(name) {
      const id = Math.floor(Math.random() * 65536);
      const query = dnsPacket.encode({
        type: 'query',
        id,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type: 'A', name: name.replace(/\.$/, '') }],
      });
      for (const r of order()) {
        const reply = await exchangeUdp(r, query, timeoutMs);
        if (!reply) continue;
        try {
          return dnsPacket.decode(reply).answers ?? [];
        } catch {
          continue;
        }
      }
      return [];
    },
  };
}
