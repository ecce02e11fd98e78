import { describe, expect, it } from 'vitest';
import { parseFlags } from './flags.js';

describe('parseFlags (Go flag package rules)', () => {
  it('accepts -flag value, -flag=value and --flag', () => {
    const { fragment } = parseFlags(['-node', 'n1', '-datacenter=dc2', '--bind', '127.0.8.1', '--client=127.0.8.2']);
    expect(fragment).toEqual({ node_name: 'n1', datacenter: 'dc2', bind_addr: '127.0.8.1', client_addr: '127.0.8.2' });
  });

  it('treats booleans as Go does: bare is true, =false is false, a separate word is not a value', () => {
    expect(parseFlags(['-server', '-bootstrap=false', '-ui=1']).fragment).toEqual({
      server: true,
      bootstrap: false,
      ui_config: { enabled: true },
    });
    expect(() => parseFlags(['-server', 'false'])).toThrow('Unexpected extra arguments: [false]');
    expect(() => parseFlags(['-server=maybe'])).toThrow(
      'invalid boolean value "maybe" for -server: strconv.ParseBool: parsing "maybe": invalid syntax',
    );
  });

  it('collects repeatable flags in order and node-meta pairs', () => {
    const parsed = parseFlags([
      '-retry-join', '127.0.8.1', '-retry-join=127.0.8.2', '-join', '127.0.8.3', '-recursor', '8.8.8.8',
      '-node-meta', 'rack:r1', '-node-meta', 'zone:a:b', '-config-file', 'a.json', '-config-dir', 'conf.d',
    ]);
    expect(parsed.fragment).toEqual({
      retry_join: ['127.0.8.1', '127.0.8.2'],
      start_join: ['127.0.8.3'],
      recursors: ['8.8.8.8'],
      node_meta: { rack: 'r1', zone: 'a:b' },
    });
    expect(parsed.configPaths).toEqual(['a.json', 'conf.d']);
    // A key named like an Object.prototype member is an ordinary key.
    expect(JSON.stringify(parseFlags(['-node-meta', '__proto__:x', '-node-meta', 'constructor']).fragment)).toBe('{"node_meta":{"__proto__":"x","constructor":""}}');
  });

  it('sets ports, durations and -dev', () => {
    const parsed = parseFlags(['-dev', '-http-port', '18500', '-dns-port=18600', '-retry-interval', '5s', '-bootstrap-expect', '3']);
    expect(parsed.dev).toBe(true);
    expect(parsed.fragment).toEqual({ ports: { http: 18500, dns: 18600 }, retry_interval: '5s', bootstrap_expect: 3 });
  });

  it('gives Go\'s messages for unknown flags, missing values and bad values', () => {
    expect(() => parseFlags(['-foo'])).toThrow('flag provided but not defined: -foo');
    expect(() => parseFlags(['--foo=1'])).toThrow('flag provided but not defined: -foo');
    expect(() => parseFlags(['-node'])).toThrow('flag needs an argument: -node');
    expect(() => parseFlags(['-http-port', 'web'])).toThrow(
      'invalid value "web" for flag -http-port: strconv.Atoi: parsing "web": invalid syntax',
    );
    expect(() => parseFlags(['-retry-interval', '5'])).toThrow(
      'invalid value "5" for flag -retry-interval: time: missing unit in duration "5"',
    );
    expect(() => parseFlags(['---server'])).toThrow('bad flag syntax: ---server');
    expect(parseFlags(['-hcl', 'x = 1', '-hcl', 'y = 2']).hcl).toEqual(['x = 1', 'y = 2']);
  });

  it('stops at -- and at the first non-flag', () => {
    expect(parseFlags(['-server', '--']).fragment).toEqual({ server: true });
    expect(() => parseFlags(['-server', '--', 'x'])).toThrow('Unexpected extra arguments: [x]');
    expect(() => parseFlags(['agent', '-dev'])).toThrow('Unexpected extra arguments: [agent -dev]');
  });
});
