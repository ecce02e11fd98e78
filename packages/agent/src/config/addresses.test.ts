import { describe, expect, it } from 'vitest';
import { expandAddrs, expandFirstIP, type Interfaces, type NetworkHost } from './addresses.js';
import { ConfigError } from './errors.js';
import { FLAG } from '@proconsul/sockaddr';

const iface = (address: string, prefix = 24, internal = false): NonNullable<Interfaces[string]>[number] =>
  address.includes(':')
    ? { address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal, cidr: `${address}/${prefix}`, scopeid: 0 }
    : { address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal, cidr: `${address}/${prefix}` };

/** The fake host of load.test.ts: a loopback and eth0 at 10.1.2.3. */
const HOST: NetworkHost = { interfaces: { lo: [iface('127.0.0.1', 8, true), iface('::1', 128, true)], eth0: [iface('10.1.2.3')] } };

/** A server with a default route, a public address, docker and a down interface. */
const SERVER: NetworkHost = {
  interfaces: {
    lo: [iface('127.0.0.1', 8, true)],
    eth0: [iface('10.0.0.5', 16), iface('203.0.114.9'), iface('fe80::5', 64)],
    eth1: [iface('192.168.1.5'), iface('fd00::5', 64)],
    docker0: [iface('172.17.0.1', 16)],
  },
  link: (name) =>
    ({
      lo: { flags: FLAG.up | FLAG.loopback | FLAG.running, index: 1, mtu: 65536 },
      eth0: { flags: FLAG.up | FLAG.broadcast | FLAG.multicast | FLAG.running, index: 2, mtu: 1500 },
      eth1: { flags: FLAG.up | FLAG.broadcast | FLAG.multicast | FLAG.running, index: 3, mtu: 1500 },
      docker0: { flags: FLAG.up | FLAG.broadcast | FLAG.multicast, index: 4, mtu: 1500 },
    })[name],
  defaultInterface: () => 'eth0',
};

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('address keys', () => {
  it('keep the two templates that worked before', () => {
    expect(expandFirstIP('{{ GetPrivateIP }}', 'bind_addr', HOST)).toBe('10.1.2.3');
    expect(expandFirstIP('{{ GetInterfaceIP "eth0" }}', 'bind_addr', HOST)).toBe('10.1.2.3');
    expect(expandFirstIP('{{GetInterfaceIP "eth0"}}', 'advertise_addr', HOST)).toBe('10.1.2.3');
    expect(configError(() => expandFirstIP('{{ GetInterfaceIP "eth9" }}', 'bind_addr', HOST))).toBe('bind_addr: No address found in {{ GetInterfaceIP "eth9" }}');
    expect(configError(() => expandFirstIP('{{ GetPrivateIP }}', 'bind_addr', { interfaces: { lo: [iface('127.0.0.1', 8, true)] } }))).toBe(
      'bind_addr: No address found in {{ GetPrivateIP }}',
    );
  });

  it('take plain IPs and space-separated lists, templates anywhere in them', () => {
    expect(expandFirstIP('127.0.8.1', 'bind_addr', HOST)).toBe('127.0.8.1');
    expect(expandFirstIP('[::1]', 'bind_addr', HOST)).toBe('::1');
    expect(expandAddrs('127.0.0.1 {{ GetInterfaceIP "eth0" }}  ::1', 'client_addr', HOST)).toEqual(['127.0.0.1', '10.1.2.3', '::1']);
    expect(expandAddrs('', 'client_addr', HOST)).toEqual([]);
    expect(expandAddrs('{{ GetInterfaceIPs "lo" }}', 'client_addr', HOST)).toEqual(['127.0.0.1', '::1']);
  });

  it('evaluate the go-sockaddr language', () => {
    const first = (template: string): string => expandFirstIP(template, 'bind_addr', SERVER);
    expect(first('{{ GetPrivateIP }}')).toBe('10.0.0.5'); // the default interface first
    expect(first('{{ GetPublicIP }}')).toBe('203.0.114.9');
    expect(first('{{ GetPrivateInterfaces | include "network" "192.168.0.0/16" | attr "address" }}')).toBe('192.168.1.5');
    expect(first('{{ GetAllInterfaces | include "name" "^eth1$" | include "type" "IPv6" | attr "address" }}')).toBe('fd00::5');
    expect(first('{{ GetDefaultInterfaces | include "type" "IPv4" | sort "-size" | attr "address" }}')).toBe('203.0.114.9');
    expect(first('{{ GetAllInterfaces | include "flags" "up|broadcast|multicast" | exclude "flags" "forwardable|loopback" | attr "address" }}')).toBe('fe80::5');
    expect(first('{{ GetPrivateInterfaces | include "rfc" "1918" | sort "-address" | limit 1 | join "address" " " }}')).toBe('192.168.1.5');
    expect(first('{{ GetPrivateInterfaces | include "type" "IPv4" | offset -1 | attr "address" }}')).toBe('192.168.1.5');
    expect(first('{{ GetPrivateInterfaces | include "name" "docker0" | math "address" "+1" | attr "address" }}')).toBe('172.17.0.2');
    expect(first('{{ GetAllInterfaces | include "flags" "loopback" | attr "address" }}')).toBe('127.0.0.1');
    expect(expandAddrs('{{ GetPrivateIPs }}', 'client_addr', SERVER)).toEqual(['10.0.0.5', '172.17.0.1', '192.168.1.5', 'fd00::5']);
    expect(expandAddrs('{{ GetPrivateInterfaces | include "type" "IPv4" | join "address" " " }}', 'addresses.http', SERVER)).toEqual([
      '10.0.0.5',
      '172.17.0.1',
      '192.168.1.5',
    ]);
  });

  it('report failures as Consul does, naming the key', () => {
    const at = (value: string, key = 'bind_addr'): string => configError(() => expandFirstIP(value, key, SERVER));
    expect(at('{{ GetPrivateIPs }}')).toBe('bind_addr: Multiple addresses found in {{ GetPrivateIPs }}: 10.0.0.5 172.17.0.1 192.168.1.5 fd00::5');
    expect(at('{{ GetAllInterfaces | include "name" "nothing" | attr "address" }}', 'serf_lan')).toBe(
      'serf_lan: No address found in {{ GetAllInterfaces | include "name" "nothing" | attr "address" }}',
    );
    expect(at('{{ GetPrivateIp }}')).toBe(
      'bind_addr: error parsing "{{ GetPrivateIp }}": unable to parse template "{{ GetPrivateIp }}": template: sockaddr.Parse:1: function "GetPrivateIp" not defined',
    );
    expect(at('{{ GetInterfaceIP eth0 }}', 'advertise_addr')).toBe(
      'advertise_addr: error parsing "{{ GetInterfaceIP eth0 }}": unable to parse template "{{ GetInterfaceIP eth0 }}": template: sockaddr.Parse:1: function "eth0" not defined',
    );
    expect(at('{{ GetInterfaceIP "eth0"')).toBe(
      'bind_addr: error parsing "{{ GetInterfaceIP \\"eth0\\"": unable to parse template "{{ GetInterfaceIP \\"eth0\\"": template: sockaddr.Parse:1: unclosed action',
    );
    expect(at('{{ GetAllInterfaces | sort "speed" | attr "address" }}')).toBe(
      'bind_addr: error parsing "{{ GetAllInterfaces | sort \\"speed\\" | attr \\"address\\" }}": unable to execute sockaddr input "{{ GetAllInterfaces | sort \\"speed\\" | attr \\"address\\" }}": template: sockaddr.Parse:1:22: executing "sockaddr.Parse" at <sort "speed">: error calling sort: unknown sort type: "speed"',
    );
    expect(expandFirstIP('{{ GetDefaultInterfaces | attr "address" }}', 'advertise_addr_wan', SERVER)).toBe('10.0.0.5');
    expect(configError(() => expandFirstIP('{{ GetDefaultInterfaces | attr "address" }}', 'bind_addr', HOST))).toBe(
      'bind_addr: error parsing "{{ GetDefaultInterfaces | attr \\"address\\" }}": unable to execute sockaddr input "{{ GetDefaultInterfaces | attr \\"address\\" }}": template: sockaddr.Parse:1:3: executing "sockaddr.Parse" at <GetDefaultInterfaces>: error calling GetDefaultInterfaces: no default interface found',
    );
  });

  it('require address text, as Consul does', () => {
    expect(configError(() => expandAddrs('{{ GetAllInterfaces | include "name" "eth1" }}', 'client_addr', SERVER))).toBe(
      'client_addr: invalid ip address: [192.168.1.5/24',
    );
    expect(configError(() => expandAddrs('{{ GetAllInterfaces | include "name" "eth1" | join "name" " " }}', 'client_addr', SERVER))).toBe(
      'client_addr: invalid ip address: eth1',
    );
    expect(configError(() => expandFirstIP('localhost', 'bind_addr', SERVER))).toBe('bind_addr: invalid ip address: localhost');
    expect(configError(() => expandAddrs('{{ GetInterfaceIP "nothing" }}', 'client_addr', SERVER))).toBe(
      'client_addr: No address found in {{ GetInterfaceIP "nothing" }}',
    );
  });

  it('refuse what Proconsul does not evaluate with a clear message', () => {
    expect(configError(() => expandFirstIP('{{ range GetAllInterfaces }}{{ end }}', 'bind_addr', SERVER))).toBe(
      'bind_addr: error parsing "{{ range GetAllInterfaces }}{{ end }}": Proconsul does not evaluate {{range}} in go-sockaddr templates (supported: {{ F args | G args ... }} pipelines of go-sockaddr functions with string, integer, . and (pipeline) arguments)',
    );
  });
});
