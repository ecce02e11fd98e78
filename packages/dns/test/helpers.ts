// Test helpers: run the real `dig` against a server in this process (asynchronously, so
// the server can answer), and parse its output into sections.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { createDnsServer, type DnsServer, type DnsServerOptions } from '../src/index.js';
import { MemoryBackend } from '../src/testing/memory-backend.js';

export interface DigRecord {
  name: string;
  ttl: number;
  type: string;
  data: string;
}

export interface DigResult {
  status: string;
  flags: string[];
  answer: DigRecord[];
  authority: DigRecord[];
  additional: DigRecord[];
  /** EDNS UDP size echoed in the response, if any. */
  ednsUdp?: number;
  raw: string;
}

export function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

function parseRecord(line: string): DigRecord {
  const [name, ttl, , type, ...data] = line.split(/\s+/);
  return { name: name!, ttl: Number(ttl), type: type!, data: data.join(' ') };
}

export function parseDig(raw: string): DigResult {
  const status = /status: (\w+)/.exec(raw)?.[1] ?? 'NONE';
  const flags = (/;; flags: ([^;]*);/.exec(raw)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const res: DigResult = { status, flags, answer: [], authority: [], additional: [], raw };
  const udp = /; EDNS: version: \d+, flags:[^;]*; udp: (\d+)/.exec(raw);
  if (udp) res.ednsUdp = Number(udp[1]);
  let section: DigRecord[] | undefined;
  // With a TCP retry dig prints the truncated reply first: parse only the last message.
  const last = raw.lastIndexOf(';; ->>HEADER<<-');
  for (const line of raw.slice(last >= 0 ? last : 0).split('\n')) {
    if (line.startsWith(';; ANSWER SECTION')) section = res.answer;
    else if (line.startsWith(';; AUTHORITY SECTION')) section = res.authority;
    else if (line.startsWith(';; ADDITIONAL SECTION')) section = res.additional;
    else if (line.trim() === '' || line.startsWith(';')) {
      if (line.trim() === '') section = undefined;
    } else if (section) section.push(parseRecord(line.trim()));
  }
  return res;
}

export interface Target {
  host: string;
  port: number;
}

/** `dig @host -p port <args>` with short timeouts; parsed. */
export async function dig(target: Target, ...args: string[]): Promise<DigResult> {
  const raw = await run('dig', [`@${target.host}`, '-p', String(target.port), '+time=2', '+tries=1', ...args]);
  return parseDig(raw);
}

export async function startServer(
  backend: MemoryBackend,
  host: string,
  options: Partial<DnsServerOptions> = {},
): Promise<{ server: DnsServer; target: Target }> {
  const server = createDnsServer({ backend, host, port: 0, datacenter: 'dc1', ...options });
  const { port } = await server.start();
  return { server, target: { host, port } };
}

/** One raw UDP exchange; undefined if nothing comes back within `timeoutMs`. */
export function udpExchange(target: Target, packet: Buffer, timeoutMs = 500): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, timeoutMs);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.send(packet, target.port, target.host);
  });
}

/**
 * Writes raw bytes on a TCP connection and collects what comes back until the server closes
 * the connection or `timeoutMs` passes. Returns the bytes and whether the server closed it.
 */
export function tcpExchange(target: Target, bytes: Buffer, timeoutMs = 1000): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    const chunks: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    }, timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('end', () => {
      closed = true;
    });
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), closed });
    });
  });
}

/** Splits a TCP byte stream into DNS messages (2-byte length prefix). */
export function tcpFrames(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  while (offset + 2 <= data.length) {
    const len = data.readUInt16BE(offset);
    if (offset + 2 + len > data.length) break;
    out.push(data.subarray(offset + 2, offset + 2 + len));
    offset += 2 + len;
  }
  return out;
}

export function lengthPrefixed(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

export { MemoryBackend };
