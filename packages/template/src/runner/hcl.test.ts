import { describe, expect, it } from 'vitest';
import { HclError, parseHcl } from './hcl.js';

describe('HCL subset', () => {
  it('parses a consul-template config', () => {
    const cfg = parseHcl(`
# comment
consul {
  address = "127.0.0.1:8500" // trailing
  retry { attempts = 5 }
}
wait { min = "2s" max = "10s" }
/* block
   comment */
template {
  source      = "/etc/nginx/upstream.ctmpl"
  destination = "/etc/nginx/conf.d/upstream.conf"
  command     = "nginx -s reload"
  perms       = 0644
  backup      = true
}
template {
  contents = <<EOF
{{ key "a" }}
EOF
  destination = "out"
  command = ["sh", "-c", "echo \\"hi\\""]
}
`);
    expect(cfg).toEqual({
      consul: [{ address: '127.0.0.1:8500', retry: [{ attempts: 5 }] }],
      wait: [{ min: '2s', max: '10s' }],
      template: [
        { source: '/etc/nginx/upstream.ctmpl', destination: '/etc/nginx/conf.d/upstream.conf', command: 'nginx -s reload', perms: 0o644, backup: true },
        { contents: '{{ key "a" }}\n', destination: 'out', command: ['sh', '-c', 'echo "hi"'] },
      ],
    });
  });
  it('reports the line and column of a syntax error', () => {
    expect(() => parseHcl('a = "x"\nb = \n}', 'c.hcl')).toThrow(HclError);
    expect(() => parseHcl('a = "x"\nb = @', 'c.hcl')).toThrow(/^c\.hcl:2:5: unexpected "@", expected a value$/);
    expect(() => parseHcl('t {\n a = 1\n', 'c.hcl')).toThrow(/missing "}"/);
  });
  it('takes keys named like Object.prototype members as ordinary keys', () => {
    const cfg = parseHcl('__proto__ = 1\nconstructor { a = 1 }\nconstructor { b = 2 }\ntoString = "x"\nblock "__proto__" { c = 3 }\n');
    expect(Object.getPrototypeOf(cfg)).toBe(Object.prototype);
    expect(JSON.stringify(cfg)).toBe('{"__proto__":1,"constructor":[{"a":1},{"b":2}],"toString":"x","block":[{"__proto__":{"c":3}}]}');
  });
});
