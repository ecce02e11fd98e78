// Go map keys and struct field names are plain strings: names of
// Object.prototype members must not reach Object.prototype.
import { describe, expect, it } from 'vitest';
import { Template } from './template.js';

const render = (text: string, data: unknown): string => new Template('t').parse(text).execute(data);

describe('keys named like Object.prototype members', () => {
  const m = JSON.parse('{"__proto__":1,"a":2}') as unknown;
  it('a map lacking the key has no value for it', () => {
    expect(render('{{ index . "constructor" }}|{{ .toString }}|{{ with index . "valueOf" }}x{{ else }}none{{ end }}', m)).toBe('<no value>|<no value>|none');
  });
  it('a map holding "__proto__" indexes, ranges and prints it', () => {
    expect(render('{{ index . "__proto__" }}|{{ .__proto__ }}|{{ range $k, $v := . }}{{ $k }}={{ $v }} {{ end }}|{{ len . }}|{{ . }}', m)).toBe('1|1|__proto__=1 a=2 |2|map[__proto__:1 a:2]');
  });
  it('a struct has no field named like an Object.prototype member', () => {
    class Item {
      Name = 'x';
    }
    for (const f of ['constructor', 'toString', '__proto__']) {
      expect(() => render(`{{ .${f} }}`, new Item())).toThrow(`can't evaluate field ${f} in type *Item`);
    }
  });
});
