import { describe, expect, it } from 'vitest';
import { parseAutoEncrypt } from './auto-encrypt-config.js';
import { parseHttpsTls, parseRpcTls } from './config.js';

describe('parseAutoEncrypt (Consul builder.go)', () => {
  it('reads the stanza; an ip_san that is no IP is dropped with a warning', () => {
    const warnings: string[] = [];
    const c = parseAutoEncrypt({ auto_encrypt: { tls: true, dns_san: ['a.example'], ip_san: ['10.0.0.1', '::1', 'nope'] } }, false, warnings);
    expect(c).toEqual({ tls: true, allowTls: false, dnsSan: ['a.example'], ipSan: ['10.0.0.1', '::1'] });
    expect(warnings).toEqual(['Cannot parse ip "nope" from AutoEncrypt.IPSAN']);
    expect(parseAutoEncrypt({}, true, [])).toEqual({ tls: false, allowTls: false, dnsSan: [], ipSan: [] });
  });

  it("refuses each setting on the other kind of agent, and auto_config with tls, with Consul's texts", () => {
    expect(() => parseAutoEncrypt({ auto_encrypt: { tls: true } }, true, [])).toThrow(/^auto_encrypt\.tls can only be used on a client\.$/);
    expect(() => parseAutoEncrypt({ auto_encrypt: { allow_tls: true } }, false, [])).toThrow(/^auto_encrypt\.allow_tls can only be used on a server\.$/);
    expect(() => parseAutoEncrypt({ auto_encrypt: { tls: true }, auto_config: { enabled: true } }, false, [])).toThrow('both auto_encrypt.tls and auto_config.enabled cannot be set to true.');
  });

  it('lets verify_incoming and the HTTPS port go without cert_file when the certificate comes from auto_encrypt', () => {
    const c = { tls: { defaults: { ca_file: '/ca.pem', verify_incoming: true } } };
    expect(() => parseRpcTls(c, 'dc1', 'consul.')).toThrow('VerifyIncoming requires either a Cert and Key pair in the configuration file, or auto_encrypt/auto_config be enabled');
    expect(parseRpcTls(c, 'dc1', 'consul.', true).verifyIncoming).toBe(true);
    expect(() => parseHttpsTls(c, 8501)).toThrow(/requires tls.defaults.cert_file/);
    expect(parseHttpsTls(c, 8501, true).certFile).toBe('');
  });
});
