import { describe, expect, it } from 'vitest';
import { findUpstreams, NginxConfError, rewriteUpstreams } from './upstreams.js';

const CONF = `# my hand-written nginx.conf
worker_processes 1;   # one is enough
events { worker_connections 1024; }
http {
    upstream app {
        # the app servers
        least_conn;
        server 10.0.0.1:80 weight=2;  # the big one
        server 10.0.0.2:80;

        keepalive 16;
    }

    upstream other { server 10.9.9.9:80; }

    server {
        listen 80;
        location / { proxy_pass http://app; }  # pass
        location /x {
            return 200 "a;b{c} upstream app { server 1.1.1.1; }";
            set $u "\${host}";
        }
    }
}
`;

describe('rewriteUpstreams', () => {
  it('replaces only the server lines of the named upstream, at the first one, with its indentation', () => {
    const out = rewriteUpstreams(CONF, new Map([['app', ['172.20.0.3:80', '172.20.0.4:80 backup']]]));
    expect(out).toBe(CONF.replace(
      '        server 10.0.0.1:80 weight=2;  # the big one\n        server 10.0.0.2:80;\n',
      '        server 172.20.0.3:80;\n        server 172.20.0.4:80 backup;\n',
    ));
  });

  it('is the identity when the servers are already those (no write, no reload)', () => {
    const once = rewriteUpstreams(CONF, new Map([['app', ['172.20.0.3:80']]]));
    expect(rewriteUpstreams(once, new Map([['app', ['172.20.0.3:80']]]))).toBe(once);
  });

  it('leaves quoted strings, ${var} and comments that look like upstreams alone', () => {
    const out = rewriteUpstreams(CONF, new Map([['app', ['10.1.1.1:80']]]));
    expect(out).toContain('return 200 "a;b{c} upstream app { server 1.1.1.1; }";');
    expect(out).toContain('set $u "${host}";');
    expect(out).toContain('# the app servers\n        least_conn;\n        server 10.1.1.1:80;\n\n        keepalive 16;');
  });

  it('rewrites a one-line block in place', () => {
    const out = rewriteUpstreams(CONF, new Map([['other', ['10.2.2.2:80']]]));
    expect(out).toContain('upstream other { server 10.2.2.2:80; }');
    expect(findUpstreams(out).find((b) => b.name === 'other')!.servers).toHaveLength(1);
  });

  it('adds server lines to a block that has none, before its closing brace', () => {
    const src = 'http {\n  upstream app {\n    keepalive 4;\n  }\n}\n';
    expect(rewriteUpstreams(src, new Map([['app', ['10.0.0.1:80', '10.0.0.2:80']]]))).toBe(
      'http {\n  upstream app {\n    keepalive 4;\n    server 10.0.0.1:80;\n    server 10.0.0.2:80;\n  }\n}\n',
    );
    expect(rewriteUpstreams('stream {\n  upstream db {\n  }\n}\n', new Map([['db', ['10.0.0.1:5432']]]))).toBe(
      'stream {\n  upstream db {\n      server 10.0.0.1:5432;\n  }\n}\n',
    );
  });

  it('keeps CRLF line ends', () => {
    const src = 'upstream app {\r\n  server 1.1.1.1:80;\r\n}\r\n';
    expect(rewriteUpstreams(src, new Map([['app', ['2.2.2.2:80', '3.3.3.3:80']]]))).toBe('upstream app {\r\n  server 2.2.2.2:80;\r\n  server 3.3.3.3:80;\r\n}\r\n');
  });

  it('refuses a missing upstream and a file that does not parse, naming what is wrong', () => {
    expect(() => rewriteUpstreams(CONF, new Map([['nope', ['1.1.1.1:80']]]))).toThrow(new NginxConfError('upstream "nope" is not in the file'));
    expect(() => rewriteUpstreams('upstream app {\n server 1.1.1.1:80;\n', new Map([['app', ['x:1']]]))).toThrow(/no closing "}"/);
    expect(() => rewriteUpstreams('upstream app { server 1.1.1.1:80 }\n', new Map([['app', ['x:1']]]))).toThrow(/unexpected "}" at line 1/);
    expect(() => rewriteUpstreams('upstream app { server "1.1.1.1:80; }\n', new Map([['app', ['x:1']]]))).toThrow(/unterminated " string at line 1/);
  });

  it('does not take a server block of http for an upstream server', () => {
    const blocks = findUpstreams(CONF);
    expect(blocks.map((b) => [b.name, b.servers.length])).toEqual([['app', 2], ['other', 1]]);
  });
});
