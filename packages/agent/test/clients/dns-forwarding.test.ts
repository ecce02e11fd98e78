// Consul's "Forward DNS for Consul service discovery" tutorial, against Proconsul: dnsmasq, unbound
// and BIND (the real Debian programs) forward `.consul` to a real agent's DNS port with the
// tutorial's settings, and `dig` asks the forwarder. Each forwarder runs here as a child, in the
// foreground, with its config, pid and work files in a temp dir, on its own 127.0.114.x:53 -
// except named, which listens only on an interface's address: it runs in a network namespace of
// its own (netns.ts) on 10.114.N.11 and forwards to the agent's second client address 10.114.N.1.
// A missing program fails the file (never skips it): `apt-get install dnsmasq unbound bind9`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, type DigResult } from '../../../dns/test/helpers.js';
import { eventually, http, startAgentProcess, tempDir, type AgentProcess } from '../helpers.js';
import { TestNet } from '../netns.js';

const AGENT_IP = '127.0.114.1';
/** named's own host: a namespace on a bridge, the agent reachable there at net's .1. */
const net = new TestNet(`10.114.${(process.pid % 200) + 20}`, 1);
const NET_AGENT_IP = `${net.subnet}.1`;
const NODE = 'fwd-node';
/** dns_config.service_ttl for every service: long enough to be cached, short enough to wait out. */
const SERVICE_TTL_S = 3;
/** A non-consul name each forwarder answers itself, from its own local data. */
const LOCAL_NAME = 'db.example.test';
const LOCAL_ADDR = '127.0.114.50';

interface Forwarder {
  name: string;
  ip: string;
  binary: string;
  /** Writes its config into `dir`; returns the command line that runs it in the foreground. */
  configure(dir: string): string[];
  /** Runs in net's host namespace rather than here. */
  inNetns?: boolean;
}

// dnsmasq: the tutorial's `server=/consul/127.0.0.1#8600`, nothing else forwarded (no-resolv).
const dnsmasq: Forwarder = {
  name: 'dnsmasq',
  ip: '127.0.114.2',
  binary: 'dnsmasq',
  configure(dir) {
    const conf = join(dir, 'dnsmasq.conf');
    writeFileSync(
      conf,
      [
        `server=/consul/${AGENT_IP}#8600`,
        'no-resolv',
        'no-hosts',
        'bind-interfaces',
        `listen-address=${this.ip}`,
        'port=53',
        `host-record=${LOCAL_NAME},${LOCAL_ADDR}`,
        `pid-file=${join(dir, 'dnsmasq.pid')}`,
        'user=root',
        'log-facility=-',
        '',
      ].join('\n'),
    );
    return ['dnsmasq', '--keep-in-foreground', `--conf-file=${conf}`];
  },
};

// unbound: the tutorial's stub-zone with do-not-query-localhost: no and domain-insecure, plus
// minimal-responses: no (unbound's default, yes, drops the SRV targets' A records in Additional).
const unbound: Forwarder = {
  name: 'unbound',
  ip: '127.0.114.3',
  binary: 'unbound',
  configure(dir) {
    const conf = join(dir, 'unbound.conf');
    writeFileSync(
      conf,
      `server:
  interface: ${this.ip}
  port: 53
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${join(dir, 'unbound.pid')}"
  use-syslog: no
  logfile: ""
  do-not-query-localhost: no
  domain-insecure: "consul"
  minimal-responses: no
  local-data: "${LOCAL_NAME}. 60 IN A ${LOCAL_ADDR}"
stub-zone:
  name: "consul"
  stub-addr: ${AGENT_IP}@8600
remote-control:
  control-enable: no
`,
    );
    return ['unbound', '-d', '-c', conf];
  },
};

// BIND: the tutorial's forward zone, forward only, with dnssec-validation no.
const bind: Forwarder = {
  name: 'bind',
  ip: net.addr(0),
  binary: 'named',
  inNetns: true,
  configure(dir) {
    const conf = join(dir, 'named.conf');
    const zone = join(dir, 'example.test.zone');
    writeFileSync(zone, `$TTL 60\n@ IN SOA ns hostmaster 1 3600 600 86400 60\n@ IN NS ns\nns IN A ${LOCAL_ADDR}\ndb IN A ${LOCAL_ADDR}\n`);
    writeFileSync(
      conf,
      `options {
  directory "${dir}";
  pid-file "${join(dir, 'named.pid')}";
  session-keyfile "${join(dir, 'session.key')}";
  managed-keys-directory "${dir}";
  listen-on port 53 { ${this.ip}; };
  listen-on-v6 { none; };
  recursion yes;
  allow-query { ${net.subnet}.0/24; };
  allow-recursion { ${net.subnet}.0/24; };
  dnssec-validation no;
};
controls { };
zone "consul" IN {
  type forward;
  forward only;
  forwarders { ${NET_AGENT_IP} port 8600; };
};
zone "example.test" IN {
  type primary;
  file "${zone}";
};
`,
    );
    return ['named', '-g', '-4', '-u', 'root', '-c', conf];
  },
};

const FORWARDERS = [dnsmasq, unbound, bind];

let agent: AgentProcess;
const children: { fw: Forwarder; proc: ChildProcess; output(): string }[] = [];
const dirs: { remove(): void }[] = [];

afterAll(async () => {
  for (const c of children) await stopProcess(c.proc);
  await agent?.kill9();
  for (const d of dirs) d.remove();
  net.teardown();
});

function requireBinary(binary: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${binary} is not installed (apt-get install -y dnsmasq unbound bind9 bind9-dnsutils)`);
}

async function register(body: object): Promise<void> {
  const r = await http(agent.base, 'PUT', '/v1/agent/service/register', JSON.stringify(body));
  expect(r.status, r.text).toBe(200);
}

async function setCheck(checkId: string, status: 'pass' | 'fail'): Promise<void> {
  const r = await http(agent.base, 'PUT', `/v1/agent/check/${status}/${checkId}`);
  expect(r.status, r.text).toBe(200);
}

/** An instance at its own address (so its SRV target is an .addr. name) with a passing TTL check. */
function instance(service: string, n: number, address: string, tags: string[] = []): object {
  return { Name: service, ID: `${service}-${n}`, Address: address, Port: 8000 + n, Tags: tags, Check: { CheckID: `${service}-${n}-ttl`, TTL: '10m', Status: 'passing' } };
}

/** The `.addr.` target Consul gives an instance whose address is not its node's (agent/dns.go). */
const addrTarget = (ip: string): string => `${ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('')}.addr.dc1.consul.`;

const ask = (fw: Forwarder, name: string, type: string, ...extra: string[]): Promise<DigResult> => dig({ host: fw.ip, port: 53 }, name, type, ...extra);
const addresses = (r: DigResult): string[] => r.answer.filter((a) => a.type === 'A').map((a) => a.data).sort();

beforeAll(async () => {
  for (const fw of FORWARDERS) requireBinary(fw.binary);
  requireBinary('dig');
  net.setup();
  const dir = tempDir('fwd-agent-');
  dirs.push(dir);
  const config = join(dir.path, 'dns.json');
  // Consul's defaults are TTL 0 (nothing cached); a service TTL makes the forwarders cache.
  // enable_truncate sets TC on a trimmed UDP answer, so a forwarder retries over TCP.
  writeFileSync(config, JSON.stringify({ dns_config: { service_ttl: { '*': `${SERVICE_TTL_S}s` }, enable_truncate: true } }));
  agent = await startAgentProcess(['-dev', '-bind', AGENT_IP, '-client', `${AGENT_IP} ${NET_AGENT_IP}`, '-node', NODE, '-dns-port', '8600', '-config-file', config, '-log-level', 'warn'], `${AGENT_IP}:8500`);
  await register(instance('web', 1, '127.0.114.11', ['v1']));
  await register(instance('web', 2, '127.0.114.12', ['v2']));
  // 25 instances at distinct addresses: an SRV answer with its additional A records beyond 1232 bytes.
  for (let n = 1; n <= 25; n++) await register(instance('many', n, `127.0.114.${19 + n}`));

  for (const fw of FORWARDERS) {
    const d = tempDir(`fwd-${fw.name}-`);
    dirs.push(d);
    const [cmd, ...args] = fw.configure(d.path);
    const proc = fw.inNetns ? net.spawn(0, cmd!, args) : spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
    proc.stderr!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
    children.push({ fw, proc, output: () => out });
  }
  for (const c of children) {
    await eventually(
      async () => {
        if (c.proc.exitCode !== null) throw new Error(`${c.fw.name} exited with ${c.proc.exitCode}: ${c.output()}`);
        return (await ask(c.fw, LOCAL_NAME, 'A')).status === 'NOERROR';
      },
      `${c.fw.name} answering on ${c.fw.ip}:53`,
      100,
      200,
    );
  }
}, 120_000);

describe.each(FORWARDERS)('$name forwarding .consul to the agent', (fw) => {
  it('A: the healthy instances of a service', async () => {
    const r = await ask(fw, 'web.service.consul', 'A');
    expect(r.status).toBe('NOERROR');
    expect(addresses(r)).toEqual(['127.0.114.11', '127.0.114.12']);
    for (const a of r.answer) expect(a.ttl).toBeLessThanOrEqual(SERVICE_TTL_S);
  });

  it('SRV: port and target, with the targets\' A records in the additional section', async () => {
    const r = await ask(fw, 'web.service.consul', 'SRV');
    expect(r.status).toBe('NOERROR');
    expect(r.answer.map((a) => a.data).sort()).toEqual([`1 1 8001 ${addrTarget('127.0.114.11')}`, `1 1 8002 ${addrTarget('127.0.114.12')}`]);
    expect(r.additional.filter((a) => a.type === 'A').map((a) => `${a.name} ${a.data}`).sort()).toEqual([
      `${addrTarget('127.0.114.11')} 127.0.114.11`,
      `${addrTarget('127.0.114.12')} 127.0.114.12`,
    ]);
  });

  it('a tag query and the RFC 2782 form', async () => {
    expect(addresses(await ask(fw, 'v1.web.service.consul', 'A'))).toEqual(['127.0.114.11']);
    const rfc = await ask(fw, '_web._tcp.service.consul', 'SRV');
    expect(rfc.answer.map((a) => a.data.split(' ')[2]).sort()).toEqual(['8001', '8002']);
    const tagged = await ask(fw, '_web._v2.service.consul', 'SRV');
    expect(tagged.answer.map((a) => a.data)).toEqual([`1 1 8002 ${addrTarget('127.0.114.12')}`]);
  });

  it('a node, and a mixed-case name answered as asked', async () => {
    const node = await ask(fw, `${NODE}.node.consul`, 'A');
    expect(node.answer.map((a) => [a.name, a.data])).toEqual([[`${NODE}.node.consul.`, AGENT_IP]]);
    const mixed = await ask(fw, 'V1.Web.Service.CONSUL', 'A');
    expect(mixed.status).toBe('NOERROR');
    expect(addresses(mixed)).toEqual(['127.0.114.11']);
  });

  it('NXDOMAIN with the SOA for an unknown service', async () => {
    const r = await ask(fw, `nosuch-${fw.name}.service.consul`, 'A');
    expect(r.status).toBe('NXDOMAIN');
    expect(r.answer).toEqual([]);
    expect(r.authority.map((a) => [a.name, a.type, a.data.split(' ').slice(0, 2).join(' ')])).toEqual([['consul.', 'SOA', 'ns.consul. hostmaster.consul.']]);
  });

  it('AAAA for a service with IPv4 instances only: NOERROR, no answer, the SOA (as resolvers ask it)', async () => {
    const r = await ask(fw, 'web.service.consul', 'AAAA');
    expect(r.status).toBe('NOERROR');
    expect(r.answer).toEqual([]);
    expect(r.authority.map((a) => a.type)).toEqual(['SOA']);
  });

  it('a non-consul name is the forwarder\'s own business', async () => {
    const r = await ask(fw, LOCAL_NAME, 'A');
    expect(r.status).toBe('NOERROR');
    expect(addresses(r)).toEqual([LOCAL_ADDR]);
  });

  it('a large SRV answer: the agent truncates over UDP, the forwarder gets all of it over TCP', async () => {
    // The agent itself, asked over UDP as a forwarder asks (EDNS, 1232 bytes): trimmed, TC set.
    const direct = await dig({ host: AGENT_IP, port: 8600 }, 'many.service.consul', 'SRV', '+bufsize=1232', '+ignore');
    expect(direct.flags).toContain('tc');
    expect(direct.answer.length).toBeLessThan(25);
    // Through the forwarder (dig retries over TCP on TC too): all 25. Whether the targets' A
    // records come along is the forwarder's choice (BIND 9.18 leaves them out of an SRV answer this
    // large, dnsmasq out of an answer from its cache), so only the answers are compared.
    const r = await ask(fw, 'many.service.consul', 'SRV');
    expect(r.status).toBe('NOERROR');
    expect(r.answer.map((a) => a.data.split(' ')[2]).sort()).toEqual(Array.from({ length: 25 }, (_, i) => String(8001 + i)).sort());
  });

  it('a service going critical leaves the forwarder\'s answers once its TTL has run out', async () => {
    const svc = `flap-${fw.name}`;
    await register(instance(svc, 1, '127.0.114.13'));
    await register(instance(svc, 2, '127.0.114.14'));
    expect(addresses(await ask(fw, `${svc}.service.consul`, 'A'))).toEqual(['127.0.114.13', '127.0.114.14']); // now cached
    await setCheck(`${svc}-2-ttl`, 'fail');
    const failedAt = Date.now();
    await eventually(async () => JSON.stringify(addresses(await ask(fw, `${svc}.service.consul`, 'A'))) === '["127.0.114.13"]', `${svc} without its critical instance`, 40, 250);
    // Cached at most SERVICE_TTL_S; two seconds of slack for the polling and a loaded machine.
    expect(Date.now() - failedAt).toBeLessThan((SERVICE_TTL_S + 2) * 1000);
    await setCheck(`${svc}-2-ttl`, 'pass');
    const passedAt = Date.now();
    await eventually(async () => addresses(await ask(fw, `${svc}.service.consul`, 'A')).length === 2, `${svc} with both instances again`, 40, 250);
    expect(Date.now() - passedAt).toBeLessThan((SERVICE_TTL_S + 2) * 1000);
  });

  it('a cached NXDOMAIN does not hide a service registered after it (the SOA minimum is 0)', async () => {
    const svc = `late-${fw.name}`;
    expect((await ask(fw, `${svc}.service.consul`, 'A')).status).toBe('NXDOMAIN');
    await register(instance(svc, 1, '127.0.114.15'));
    const registeredAt = Date.now();
    await eventually(async () => addresses(await ask(fw, `${svc}.service.consul`, 'A'))[0] === '127.0.114.15', `${svc} through ${fw.name}`, 40, 250);
    expect(Date.now() - registeredAt).toBeLessThan(2000);
  });
});
