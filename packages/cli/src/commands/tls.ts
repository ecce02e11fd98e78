/**
 * `proconsul tls ca create` and `proconsul tls cert create`, as Consul's: files in the current
 * directory named `<domain>-agent-ca.pem` / `-key.pem` and `<dc>-<server|client|cli>-<domain>-<n>.pem`
 * / `-key.pem` with the first free n; the CA's files are never overwritten.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { createCa, createLeaf } from '../tls-certs.js';

function save(path: string, text: string, mode: number): void {
  writeFileSync(path, text, { mode, flag: 'wx' }); // wx: never replace a file that appeared meanwhile
}

export const tlsCaCreate: Command = {
  synopsis: 'Create a new consul CA',
  help: `Usage: proconsul tls ca create [options]

  Create a new consul CA:

  $ proconsul tls ca create
  ==> Saved consul-agent-ca.pem
  ==> Saved consul-agent-ca-key.pem`,
  flags: () =>
    new FlagSet([
      { name: 'days', kind: 'int', default: '1825', usage: 'Number of days the CA is valid for. Defaults to 1825 days (approximately 5 years).' },
      {
        name: 'name-constraint',
        kind: 'bool',
        usage:
          'Enables X.509 name constraints for the CA. If used, the CA only signs certificates for localhost and the domains specified by -domain and -additional-name-constraint. ' +
          "If Consul's UI is served over HTTPS in your deployment, add its DNS name with -additional-constraint. Defaults to false.",
      },
      {
        name: 'domain',
        kind: 'string',
        default: 'consul',
        usage: 'The DNS domain of the Consul cluster that agents are configured with. Defaults to consul. Only used when -name-constraint is set. Additional domains can be passed with -additional-name-constraint.',
      },
      {
        name: 'cluster-id',
        kind: 'string',
        usage: "ID of the Consul cluster. Sets the CA's URI with the SPIFFEID composed of the cluster ID and domain  (specified by -domain or 'consul' by default).",
      },
      { name: 'common-name', kind: 'string', usage: 'Common Name of CA. Defaults to Consul Agent CA.' },
      {
        name: 'additional-name-constraint',
        kind: 'list',
        usage: 'Add name constraints for the CA. Results in rejecting certificates for other DNS than specified. Can be used multiple times. Only used in combination with -name-constraint.',
      },
    ]),
  async run(f, ui) {
    if (f.args.length > 0) {
      ui.error(`Too many arguments (expected 0, got ${f.args.length})`);
      return 1;
    }
    const days = f.int('days');
    if (days <= 0) {
      ui.error('-days must be a positive number of days');
      return 1;
    }
    const domain = f.string('domain');
    const certFile = `${domain}-agent-ca.pem`;
    const keyFile = `${domain}-agent-ca-key.pem`;
    for (const file of [certFile, keyFile]) {
      if (existsSync(file)) {
        ui.error(`${file} already exists.`);
        return 1;
      }
    }
    // Consul's order: the -additional-name-constraint values, then -domain, then localhost.
    const permitted = f.bool('name-constraint') ? [...f.list('additional-name-constraint'), domain, 'localhost'] : [];
    const ca = createCa(days, { permittedDnsDomains: permitted, commonName: f.string('common-name'), clusterId: f.string('cluster-id'), domain });
    save(certFile, ca.cert, 0o644);
    ui.output(`==> Saved ${certFile}`);
    save(keyFile, ca.key, 0o600);
    ui.output(`==> Saved ${keyFile}`);
    return 0;
  },
};

const SERVER_WARNING = `==> WARNING: Server Certificates grants authority to become a
    server and access all state in the cluster including root keys
    and all ACL tokens. Do not distribute them to production hosts
    that are not server nodes. Store them as securely as CA keys.`;

export const tlsCertCreate: Command = {
  synopsis: 'Create a new certificate',
  help: `Usage: proconsul tls cert create [options]

  Create a new certificate

  $ proconsul tls cert create -server
  ==> WARNING: Server Certificates grants authority to become a
      server and access all state in the cluster including root keys
      and all ACL tokens. Do not distribute them to production hosts
      that are not server nodes. Store them as securely as CA keys.
  ==> Using consul-agent-ca.pem and consul-agent-ca-key.pem
  ==> Saved dc1-server-consul-0.pem
  ==> Saved dc1-server-consul-0-key.pem
  $ proconsul tls cert create -client
  ==> Using consul-agent-ca.pem and consul-agent-ca-key.pem
  ==> Saved dc1-client-consul-0.pem
  ==> Saved dc1-client-consul-0-key.pem`,
  flags: () =>
    new FlagSet([
      { name: 'ca', kind: 'string', default: '#DOMAIN#-agent-ca.pem', usage: 'Provide path to the ca. Defaults to #DOMAIN#-agent-ca.pem.' },
      { name: 'key', kind: 'string', default: '#DOMAIN#-agent-ca-key.pem', usage: 'Provide path to the key. Defaults to #DOMAIN#-agent-ca-key.pem.' },
      { name: 'server', kind: 'bool', usage: 'Generate server certificate.' },
      { name: 'client', kind: 'bool', usage: 'Generate client certificate.' },
      { name: 'cli', kind: 'bool', usage: 'Generate cli certificate.' },
      { name: 'node', kind: 'string', usage: 'When generating a server cert and this is set an additional dns name is included of the form <node>.server.<datacenter>.<domain>.' },
      { name: 'days', kind: 'int', default: '365', usage: 'Provide number of days the certificate is valid for from now on. Defaults to 1 year.' },
      { name: 'dc', kind: 'string', default: 'dc1', usage: 'Provide the datacenter. Matters only for -server certificates. Defaults to dc1.' },
      { name: 'domain', kind: 'string', default: 'consul', usage: 'Provide the domain. Matters only for -server certificates.' },
      { name: 'additional-dnsname', kind: 'list', usage: 'Provide an additional dnsname for Subject Alternative Names. localhost is always included. This flag may be provided multiple times.' },
      { name: 'additional-ipaddress', kind: 'list', usage: 'Provide an additional ipaddress for Subject Alternative Names. 127.0.0.1 is always included. This flag may be provided multiple times.' },
    ]),
  async run(f, ui) {
    if (f.args.length > 0) {
      ui.error(`Too many arguments (expected 0, got ${f.args.length})`);
      return 1;
    }
    const kinds = (['server', 'client', 'cli'] as const).filter((k) => f.bool(k));
    if (kinds.length !== 1) {
      ui.error('Please provide either -server, -client, or -cli');
      return 1;
    }
    const kind = kinds[0]!;
    const node = f.string('node');
    if (node !== '' && kind !== 'server') {
      ui.error('-node requires -server');
      return 1;
    }
    const days = f.int('days');
    if (days <= 0) {
      ui.error('-days must be a positive number of days');
      return 1;
    }
    const dc = f.string('dc');
    const domain = f.string('domain');
    const dnsNames = f.list('additional-dnsname').map((d) => d.trim()).filter((d) => d !== '');
    const ipAddresses = f.list('additional-ipaddress').map((i) => i.trim()).filter((i) => i !== '');
    const badIp = ipAddresses.find((ip) => isIP(ip) === 0);
    if (badIp !== undefined) {
      ui.error(`Invalid IP address: ${badIp}`);
      return 1;
    }
    const name = `${kind}.${dc}.${domain}`;
    if (kind === 'server' && node !== '') dnsNames.push(`${node}.server.${dc}.${domain}`);
    dnsNames.push(name, 'localhost');
    if (kind !== 'cli') ipAddresses.push('127.0.0.1');

    const prefix = `${dc}-${kind}-${domain}`;
    let n = 0;
    while (existsSync(`${prefix}-${n}.pem`) || existsSync(`${prefix}-${n}-key.pem`)) {
      if (++n > 10_000) {
        ui.error("Could not find a filename that doesn't already exist");
        return 1;
      }
    }
    const caFile = f.string('ca').replace('#DOMAIN#', domain);
    const keyFile = f.string('key').replace('#DOMAIN#', domain);
    let ca: { cert: string; key: string };
    try {
      ca = { cert: readFileSync(caFile, 'utf8'), key: '' };
    } catch (err) {
      ui.error(`Error reading CA: ${(err as Error).message}`);
      return 1;
    }
    try {
      ca.key = readFileSync(keyFile, 'utf8');
    } catch (err) {
      ui.error(`Error reading CA key: ${(err as Error).message}`);
      return 1;
    }
    if (kind === 'server') ui.info(SERVER_WARNING);
    ui.info(`==> Using ${caFile} and ${keyFile}`);
    let leaf: { cert: string; key: string };
    try {
      // Refuses, as Consul's tlsutil.Verify does, a name outside the CA's name constraints.
      leaf = createLeaf(ca, { name, dnsNames, ipAddresses, days });
    } catch (err) {
      ui.error((err as Error).message);
      return 1;
    }
    save(`${prefix}-${n}.pem`, leaf.cert, 0o644);
    ui.output(`==> Saved ${prefix}-${n}.pem`);
    save(`${prefix}-${n}-key.pem`, leaf.key, 0o600);
    ui.output(`==> Saved ${prefix}-${n}-key.pem`);
    return 0;
  },
};
