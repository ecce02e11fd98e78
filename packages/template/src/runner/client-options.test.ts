import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './cli.js';
import { applyConfigObject, defaultConfig } from './config.js';
import { clientOptions } from './client-options.js';

const fromHcl = (raw: Record<string, unknown>) => {
  const cfg = defaultConfig();
  applyConfigObject(cfg, raw);
  return cfg;
};

describe('the consul block as client options', () => {
  it('turns HTTPS on for any ssl setting (consul-template Finalize), with the CA, certificate and name', () => {
    const cfg = fromHcl({ consul: { address: '10.0.0.1:8501', ssl: { ca_cert: '/ca.pem', cert: '/c.pem', key: '/k.pem', server_name: 'consul.local' } } });
    expect(clientOptions(cfg.consul, {})).toEqual({
      address: 'https://10.0.0.1:8501',
      tls: { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/k.pem', serverName: 'consul.local' },
    });
    expect(clientOptions(fromHcl({ consul: { ssl: { enabled: true, verify: false } } }).consul, { CONSUL_HTTP_ADDR: 'a:8501' })).toEqual({
      address: 'https://a:8501',
      tls: { insecureSkipVerify: true },
    });
    // enabled = false wins over the other keys; an explicit scheme is kept.
    expect(clientOptions(fromHcl({ consul: { address: 'b:8500', ssl: { enabled: false, ca_cert: '/ca.pem' } } }).consul, {}).address).toBe('b:8500');
    expect(clientOptions(fromHcl({ consul: { address: 'http://c:8500', ssl: { enabled: true } } }).consul, {}).address).toBe('http://c:8500');
  });

  it('sends HTTP basic auth from consul.auth or -consul-auth', () => {
    const basic = (s: string) => ({ Authorization: `Basic ${Buffer.from(s).toString('base64')}` });
    expect(clientOptions(fromHcl({ consul: { auth: { username: 'u', password: 'p' } } }).consul, {}).headers).toEqual(basic('u:p'));
    expect(clientOptions(fromHcl({ consul: { auth: { enabled: false, username: 'u' } } }).consul, {}).headers).toBeUndefined();
    const r = parseArgs(['-consul-auth', 'admin:s3:cret', '-consul-ssl', '-consul-ssl-verify=false', '-consul-addr', 'd:8501', '-template', 'a:b']);
    if (r.kind !== 'run') throw new Error('expected run');
    expect(clientOptions(r.config.consul, {})).toEqual({ address: 'https://d:8501', tls: { insecureSkipVerify: true }, headers: basic('admin:s3:cret') });
  });

  it('names what it takes but ignores, and refuses unknown ssl and auth keys', () => {
    const cfg = fromHcl({ consul: { transport: { max_idle_conns: 5 } }, syslog: { enabled: true } });
    expect(cfg.ignored).toEqual(['consul.transport', 'syslog']);
    const r = parseArgs(['-syslog', '-template', 'a:b']);
    if (r.kind !== 'run') throw new Error('expected run');
    expect(r.config.ignored).toEqual(['-syslog']);
    expect(() => fromHcl({ consul: { ssl: { ca_file: '/x' } } })).toThrow('consul.ssl.ca_file: unknown key');
    expect(() => fromHcl({ consul: { auth: { user: 'x' } } })).toThrow('consul.auth.user: unknown key');
  });

  it("reads the token file when the client is made: its trimmed token wins, an empty one leaves consul.token (api NewClient)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pct-token-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, '\n  from-file \n');
      expect(clientOptions({ ...fromHcl({}).consul, token: 'given', tokenFile: file }, {}).token).toBe('from-file');
      writeFileSync(file, ' \n');
      expect(clientOptions({ ...fromHcl({}).consul, token: 'given', tokenFile: file }, {}).token).toBe('given');
      expect(() => clientOptions({ ...fromHcl({}).consul, tokenFile: join(dir, 'none') }, {})).toThrow('runner: Error loading token file: ENOENT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
