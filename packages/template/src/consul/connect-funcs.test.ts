// `connect`, `caRoots`, `caLeaf` and `sockaddr` through a real TemplateRenderer, with the Brain
// (the seam the watchers fill) holding the values.
import { FLAG } from '@proconsul/sockaddr';
import { describe, expect, it } from 'vitest';
import { TemplateRenderer } from '../runner/render.js';
import { Brain } from './brain.js';
import { CARoot, LeafCert } from './connect-data.js';
import { HealthService } from './data.js';
import { goJSON } from './helpers.js';
import { canShare, connectCARootsQuery, connectLeafQuery, healthServiceQuery } from './query.js';
import type { SockaddrHost } from './sockaddr.js';

const ROOT_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function root(id: string, active: boolean): CARoot {
  return new CARoot({
    ID: id, Name: 'Consul CA Primary Cert', SerialNumber: 7, SigningKeyID: 'aa:bb', ExternalTrustDomain: 'td', NotBefore: '', NotAfter: '',
    RootCert: ROOT_PEM.replace('MIIB', `MIIB${id}`), IntermediateCerts: null, Active: active, PrivateKeyType: 'ec', PrivateKeyBits: 256, CreateIndex: 5, ModifyIndex: 6,
  });
}

const LEAF = new LeafCert({
  SerialNumber: '0a:0b', CertPEM: '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n', PrivateKeyPEM: '-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n',
  Service: 'web', ServiceURI: 'spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web',
  ValidAfter: '2026-12-07T14:07:24Z', ValidBefore: '2026-12-10T14:07:24Z', CreateIndex: 10, ModifyIndex: 10,
});

function proxy(node: string, id: string, port: number): HealthService {
  return new HealthService(
    {
      Node: { ID: 'n-' + node, Node: node, Address: '10.0.0.1', Datacenter: 'dc1', TaggedAddresses: null, Meta: {}, CreateIndex: 1, ModifyIndex: 1 },
      Service: { ID: id, Service: 'web-sidecar-proxy', Tags: [], Address: '', Meta: {}, Port: port, Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false, CreateIndex: 1, ModifyIndex: 1 },
      Checks: [],
    },
    'passing',
  );
}

const render = (brain: Brain, text: string, extra: { sockaddrHost?: SockaddrHost } = {}) => new TemplateRenderer(brain, { name: 't.ctmpl', text, ...extra }).render();

describe('connect queries', () => {
  it('parses `connect` with the grammar and filters of `service`, under its own id', () => {
    expect(healthServiceQuery('web', true)).toMatchObject({ id: 'health.connect(web|passing)', name: 'web', connect: true, filters: ['passing'] });
    expect(healthServiceQuery('prod.web@dc2~_agent|warning,passing', true)).toMatchObject({
      id: 'health.connect(prod.web@dc2~_agent|passing,warning)', tag: 'prod', dc: 'dc2', near: '_agent', filters: ['passing', 'warning'],
    });
    expect(healthServiceQuery('web').connect).toBe(false);
    expect(healthServiceQuery('web').id).toBe('health.service(web|passing)');
    // consul-template's texts (the one parser for both).
    expect(() => healthServiceQuery('web|bogus', true)).toThrow('health.service: invalid filter: "bogus" in "web|bogus"');
    expect(() => healthServiceQuery('we b', true)).toThrow('health.service: invalid format: "we b"');
  });

  it('names the CA dependencies as consul-template does, and never shares them', () => {
    expect(connectCARootsQuery().id).toBe('connect.caroots');
    expect(connectLeafQuery('web').id).toBe('connect.caleaf(web)');
    expect(canShare(connectCARootsQuery())).toBe(false);
    expect(canShare(connectLeafQuery('web'))).toBe(false);
    expect(canShare(healthServiceQuery('web', true))).toBe(true);
  });
});

describe('connect functions', () => {
  it('`connect` waits for its data, then lists the Connect-capable instances', () => {
    const brain = new Brain();
    const text = '{{range connect "web"}}{{.Name}} {{.Address}}:{{.Port}};{{end}}';
    const first = render(brain, text);
    expect(first.complete).toBe(false);
    expect([...first.missing.keys()]).toEqual(['health.connect(web|passing)']);
    brain.remember('health.connect(web|passing)', [proxy('n1', 'web-sidecar-proxy-1', 21000), proxy('n2', 'web-sidecar-proxy-2', 21001)]);
    expect(render(brain, text)).toMatchObject({ complete: true, contents: 'web-sidecar-proxy 10.0.0.1:21000;web-sidecar-proxy 10.0.0.1:21001;' });
    // `connect "web" "any"` joins its arguments with "|", as `service`.
    expect([...render(brain, '{{connect "web" "any"}}').missing.keys()]).toEqual(['health.connect(web|any)']);
    // No name: an empty list and no dependency.
    expect(render(brain, '{{len (connect "")}}')).toMatchObject({ complete: true, contents: '0' });
  });

  it('`caRoots` ranges over api.CARoot values; nil until fetched', () => {
    const brain = new Brain();
    const text = '{{range caRoots}}{{.ID}} {{.Active}}\n{{.RootCertPEM}}{{end}}';
    const first = render(brain, text);
    expect(first.complete).toBe(false);
    expect([...first.used.keys()]).toEqual(['connect.caroots']);
    brain.remember('connect.caroots', [root('r1', false), root('r2', true)]);
    expect(render(brain, text).contents).toBe(`r1 false\n${ROOT_PEM.replace('MIIB', 'MIIBr1')}r2 true\n${ROOT_PEM.replace('MIIB', 'MIIBr2')}`);
    // Go's fields, not the JSON's: RootCert is RootCertPEM in api.CARoot.
    expect(render(brain, '{{range caRoots}}{{.RootCert}}{{end}}').error?.message).toMatch(/can't evaluate field RootCert in type \*api.CARoot/);
  });

  it('`caLeaf` gives api.LeafCert with Go time.Time validity; nil without a service', () => {
    const brain = new Brain();
    const text = '{{with caLeaf "web"}}{{.Service}} {{.SerialNumber}}\n{{.CertPEM}}{{.PrivateKeyPEM}}{{.ValidAfter}} / {{.ValidBefore}} / {{.ValidBefore.Unix}} / {{.ValidBefore.Format "2006-01-02"}}{{end}}';
    expect([...render(brain, text).missing.keys()]).toEqual(['connect.caleaf(web)']);
    brain.remember('connect.caleaf(web)', LEAF);
    expect(render(brain, text).contents).toBe(
      `web 0a:0b\n${LEAF.CertPEM}${LEAF.PrivateKeyPEM}2026-12-07 14:07:24 +0000 UTC / 2026-12-10 14:07:24 +0000 UTC / 1796911644 / 2026-12-10`,
    );
    // Only the first argument counts; none at all is nil and no dependency.
    expect([...render(brain, '{{caLeaf "web" "ignored"}}').used.keys()]).toEqual(['connect.caleaf(web)']);
    expect(render(brain, '{{with caLeaf ""}}x{{else}}nil{{end}}')).toMatchObject({ complete: true, contents: 'nil' });
  });

  it('marshals a leaf to JSON as Go does, its times as RFC 3339', () => {
    expect(JSON.parse(goJSON(LEAF))).toEqual({
      SerialNumber: '0a:0b', CertPEM: LEAF.CertPEM, PrivateKeyPEM: LEAF.PrivateKeyPEM, Service: 'web', ServiceURI: LEAF.ServiceURI,
      ValidAfter: '2026-12-07T14:07:24Z', ValidBefore: '2026-12-10T14:07:24Z', CreateIndex: 10, ModifyIndex: 10,
    });
  });
});

describe('sockaddr', () => {
  // A host with a private address on eth0 (the default route) and loopback.
  const host: SockaddrHost = () => ({
    interfaces: {
      lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
      eth0: [{ address: '10.1.2.3', netmask: '255.255.255.0', family: 'IPv4', mac: '02:42:0a:01:02:03', internal: false, cidr: '10.1.2.3/24' }],
    },
    link: (name) => ({ flags: name === 'lo' ? FLAG.up | FLAG.loopback | FLAG.running : FLAG.up | FLAG.broadcast | FLAG.multicast | FLAG.running, index: name === 'lo' ? 1 : 2, mtu: 1500 }),
    defaultInterface: () => 'eth0',
  });

  it('evaluates its arguments as the go-sockaddr template {{ <args> }}', () => {
    const brain = new Brain();
    expect(render(brain, '{{ sockaddr "GetPrivateIP" }}', { sockaddrHost: host })).toMatchObject({ complete: true, contents: '10.1.2.3' });
    expect(render(brain, '{{ sockaddr "GetInterfaceIP" "\\"eth0\\"" }}', { sockaddrHost: host }).contents).toBe('10.1.2.3');
    expect(render(brain, '{{ sockaddr "GetAllInterfaces | include \\"name\\" \\"eth0\\" | attr \\"network\\"" }}', { sockaddrHost: host }).contents).toBe('10.1.2.0');
  });

  it("fails the render with go-sockaddr's error", () => {
    const r = render(new Brain(), '{{ sockaddr "GetNothing" }}', { sockaddrHost: host });
    expect(r.complete).toBe(false);
    expect(r.error?.message).toContain('error calling sockaddr: unable to parse template "{{ GetNothing }}": template: sockaddr.Parse:1: function "GetNothing" not defined');
  });
});
