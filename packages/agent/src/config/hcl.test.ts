import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HclError, parseHcl } from './hcl.js';

describe('HCL (the subset Consul configuration uses)', () => {
  it('reads attributes, several on a line, lists with trailing commas, objects and comments', () => {
    expect(parseHcl('bootstrap_expect = 1 server = true\n# c\n// c\n/* multi\nline */ x = -1.5e2\nl = ["a", "b",]\no = { k = "v", n = 2 }')).toEqual({
      bootstrap_expect: 1, server: true, x: -150, l: ['a', 'b'], o: { k: 'v', n: 2 },
    });
  });

  it('reads strings with escapes, quoted keys and heredocs', () => {
    expect(parseHcl('"node-meta key" = "a\\"b\\\\c\\n\\u0041"')).toEqual({ 'node-meta key': 'a"b\\c\nA' });
    expect(parseHcl('script = <<EOF\nline 1\n  line 2\nEOF\n')).toEqual({ script: 'line 1\n  line 2\n' });
    expect(parseHcl('s = <<-EOT\n    a\n      b\n    EOT\n')).toEqual({ s: 'a\n  b\n' });
  });

  it('turns blocks into objects, labels into nested keys, and repeated service/check blocks into lists', () => {
    expect(parseHcl('ports { http = 1 }\ntelemetry "x" { a = 1 }')).toEqual({ ports: { http: 1 }, telemetry: { x: { a: 1 } } });
    expect(parseHcl('service { name = "a" }')).toEqual({ service: { name: 'a' } });
    expect(parseHcl('service { name = "a" }\nservice { name = "b" }')).toEqual({ services: [{ name: 'a' }, { name: 'b' }] });
    expect(parseHcl('services { name = "a" }')).toEqual({ services: [{ name: 'a' }] });
    expect(parseHcl('service { name = "a" check { ttl = "1s" } check { ttl = "2s" } }')).toEqual({ service: { name: 'a', checks: [{ ttl: '1s' }, { ttl: '2s' }] } });
    expect(parseHcl('watches { type = "key" }\nwatches { type = "keyprefix" }')).toEqual({ watches: [{ type: 'key' }, { type: 'keyprefix' }] });
    expect(parseHcl('limits { a = 1 }\nlimits { b = 2 }')).toEqual({ limits: { a: 1, b: 2 } });
  });

  it('keeps keys named like Object.prototype members (`__proto__`, `constructor`) as ordinary keys', () => {
    const o = parseHcl('node_meta { __proto__ = "x" }\nnode_meta { constructor = "y" }\nconstructor { a = 1 }\nconstructor { b = 2 }\nmeta "__proto__" { c = 3 }');
    expect(JSON.stringify(o)).toBe('{"node_meta":{"__proto__":"x","constructor":"y"},"constructor":{"a":1,"b":2},"meta":{"__proto__":{"c":3}}}');
    expect(Object.getPrototypeOf(o['node_meta'])).toBe(Object.prototype);
  });

  it('reads JSON, as HCL 1 does when the text starts with a brace', () => {
    expect(parseHcl('\n  {"node_name": "n1", "ports": {"dns": -1}, "__proto__": {"a": 1}}')).toEqual(JSON.parse('{"node_name": "n1", "ports": {"dns": -1}, "__proto__": {"a": 1}}'));
    expect(() => parseHcl('{"node_name": ')).toThrow(HclError);
  });

  it('says where the syntax is wrong', () => {
    expect(() => parseHcl('a = ')).toThrow('At 1: expected a value, got end of input');
    expect(() => parseHcl('a = 1\nb {\n')).toThrow("At 3: expected '}', got end of input");
    expect(() => parseHcl('a = "x')).toThrow('At 1: unterminated string');
    expect(() => parseHcl('a = 1 }')).toThrow("At 1: unexpected '}'");
    expect(() => parseHcl('a = @')).toThrow('At 1: illegal char "@"');
    expect(() => parseHcl('a b = 1')).toThrow("At 1: unexpected '=' after block labels");
    expect(() => parseHcl(`${'a { '.repeat(100)}`)).toThrow('nested too deeply');
  });

  it('never fails other than with HclError on random input', () => {
    const hclish = fc.array(fc.constantFrom('a', '=', '{', '}', '[', ']', ',', '"s"', '1', 'true', '\n', ' ', '#x\n', '<<E\n', 'E\n', '"', '\\', '/*', '*/', '-', '.5'), { maxLength: 60 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(hclish, fc.string({ maxLength: 80 })), (text) => {
        try {
          const out = parseHcl(text);
          expect(typeof out).toBe('object');
        } catch (err) {
          expect(err).toBeInstanceOf(HclError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
