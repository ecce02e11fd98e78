// A tiny upstream DNS server for recursor tests (dns-packet, UDP and TCP on one port).
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import dnsPacket from 'dns-packet';

export interface Upstream {
  port: number;
  udpQueries: number;
  tcpQueries: number;
  close(): Promise<void>;
}

/** Zone: name -> A address; `rcodes`: name -> rcode to answer with instead. */
export async function startUpstream(
  host: string,
  zone: Record<string, string>,
  rcodes: Record<string, 'SERVFAIL' | 'NXDOMAIN' | 'REFUSED'> = {},
): Promise<Upstream> {
  const state = { udpQueries: 0, tcpQueries: 0 };
  const answer = (msg: Buffer): Buffer => {
    const q = dnsPacket.decode(msg);
    const question = q.questions![0]!;
    const forced = rcodes[question.name];
    const address = zone[question.name];
    const rcode: string = forced ?? (address ? 'NOERROR' : 'NXDOMAIN');
    const rcodeBits = ({ NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as Record<string, number>)[rcode]!;
    return dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcodeBits,
      questions: [question],
      answers: rcode === 'NOERROR' && address ? [{ name: question.name, type: 'A', ttl: 60, data: address }] : [],
    });
  };
  const udp: Socket = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    state.udpQueries++;
    udp.send(answer(msg), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, host, () => resolve()));
  const port = udp.address().port;
  const tcp: Server = createServer((conn) => {
    let buf = Buffer.alloc(0);
    conn.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        state.tcpQueries++;
        const reply = answer(msg);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(reply.length);
        conn.write(Buffer.concat([len, reply]));
      }
    });
    conn.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => tcp.listen(port, host, () => resolve()));
  return {
    port,
    get udpQueries() {
      return state.udpQueries;
    },
    get tcpQueries() {
      return state.tcpQueries;
    },
    async close() {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/** A UDP port on `host` where nothing answers (bound, then closed). */
export async function deadPort(host: string): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, host, () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
