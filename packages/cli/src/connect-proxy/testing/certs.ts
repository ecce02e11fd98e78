/**
 * Test certificates made by `openssl` as Consul's built-in CA makes them: an EC P-256 root,
 * and leaf certificates whose only SAN is the service's SPIFFE URI, for server and client
 * auth. Each CA is a directory of PEM files.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCa {
  dir: string;
  name: string;
  certPem: string;
  keyPath: string;
}

export interface TestLeaf {
  certPem: string;
  keyPem: string;
  uri: string;
  /** Consul's encoding: hex bytes joined by `:`. */
  serial: string;
}

function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function createTestCa(dir: string, name: string): TestCa {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
  openssl(
    ['req', '-x509', '-new', '-key', key, '-subj', `/CN=${name}`, '-days', '2', '-out', cert, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'],
    dir,
  );
  return { dir, name, certPem: readFileSync(cert, 'utf8'), keyPath: key };
}

let seq = 0;

/** A leaf for `spiffe://<trustDomain>/ns/default/dc/<dc>/svc/<service>` signed by `ca`. */
export function createTestLeaf(ca: TestCa, trustDomain: string, service: string, dc = 'dc1'): TestLeaf {
  const base = join(ca.dir, `${ca.name}-${service}-${++seq}`);
  const uri = `spiffe://${trustDomain}/ns/default/dc/${dc}/svc/${service}`;
  writeFileSync(`${base}.ext`, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment,keyAgreement\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=URI:${uri}\n`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${base}.key`], ca.dir);
  openssl(['req', '-new', '-key', `${base}.key`, '-subj', `/CN=${service}`, '-out', `${base}.csr`], ca.dir);
  openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', join(ca.dir, `${ca.name}.pem`), '-CAkey', ca.keyPath, '-CAcreateserial', '-days', '1', '-out', `${base}.pem`, '-extfile', `${base}.ext`], ca.dir);
  const serialHex = openssl(['x509', '-in', `${base}.pem`, '-noout', '-serial'], ca.dir).trim().replace(/^serial=/, '');
  const hex = BigInt(`0x${serialHex}`).toString(16);
  const serial = ((hex.length % 2 ? `0${hex}` : hex).match(/../g) ?? []).join(':');
  return { certPem: readFileSync(`${base}.pem`, 'utf8'), keyPem: readFileSync(`${base}.key`, 'utf8'), uri, serial };
}
