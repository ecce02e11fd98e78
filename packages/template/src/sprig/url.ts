// Sprig's urlParse and urlJoin (sprig url.go) with Go's net/url rules for the
// parts they use: url.Parse's split into scheme, opaque, userinfo, host, path,
// query and fragment (path and fragment unescaped), and URL.String().

import type { FuncMap } from '../engine/exec.js';
import { type Dict, dict, goKind, str } from './convert.js';

function unescape(s: string, what: string): string {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) {
    const bad = /%.{0,2}/.exec(s.slice(s.search(/%(?![0-9a-fA-F]{2})/)))![0];
    throw new Error(`parse ${JSON.stringify(what)}: invalid URL escape ${JSON.stringify(bad)}`);
  }
  return Buffer.from(s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

/** url.Parse: only the fields urlParse reports. */
function parse(raw: string): Dict {
  let rest = raw;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = unescape(rest.slice(hash + 1), raw);
    rest = rest.slice(0, hash);
  }
  if (/[\x00-\x1f\x7f]/.test(rest)) throw new Error(`parse ${JSON.stringify(raw)}: net/url: invalid control character in URL`);
  let scheme = '';
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (sm) {
    scheme = sm[1]!.toLowerCase();
    rest = rest.slice(sm[0].length);
  } else if (rest.startsWith(':')) throw new Error(`parse ${JSON.stringify(raw)}: missing protocol scheme`);
  let query = '';
  if (rest.endsWith('?') && rest.split('?').length === 2) rest = rest.slice(0, -1);
  else if (rest.includes('?')) [rest, query] = [rest.slice(0, rest.indexOf('?')), rest.slice(rest.indexOf('?') + 1)];
  const out: Dict = { scheme, host: '', hostname: '', path: '', query, opaque: '', fragment, userinfo: '' };
  if (!rest.startsWith('/') && scheme !== '') {
    out.opaque = rest;
    return out;
  }
  if (!rest.startsWith('/') && /^[^/]*:/.test(rest)) throw new Error(`parse ${JSON.stringify(raw)}: first path segment in URL cannot contain colon`);
  if (rest.startsWith('//') && (scheme !== '' || !rest.startsWith('///'))) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) [authority, rest] = [authority.slice(0, slash), authority.slice(slash)];
    const at = authority.lastIndexOf('@');
    const host = at < 0 ? authority : authority.slice(at + 1);
    if (at >= 0) out.userinfo = authority.slice(0, at);
    out.host = host;
    out.hostname = host.startsWith('[') ? host.slice(1, host.indexOf(']') < 0 ? undefined : host.indexOf(']')) : host.replace(/:[0-9]*$/, '');
  }
  out.path = unescape(rest, raw);
  return out;
}

/** url.shouldEscape for a path (encodePath) or fragment (encodeFragment). */
function escape(s: string, mode: 'path' | 'fragment'): string {
  const keep = mode === 'path' ? /[A-Za-z0-9\-_.~$&+,/:;=@]/ : /[A-Za-z0-9\-_.~$&+,/:;=@!()*?]/;
  let out = '';
  for (const b of Buffer.from(s)) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && keep.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** dictGetOrEmpty: a missing key is "", a non-string value panics. */
function field(d: Dict, key: string): string {
  if (!Object.hasOwn(d, key)) return '';
  const v = d[key];
  if (typeof v !== 'string') throw new Error(`unable to parse ${key} key, must be of type string, but ${goKind(v)} found`);
  return v;
}

/** URL.String(). */
function join(d: Dict): string {
  const [scheme, host, path, query, opaque, fragment, userinfo] = ['scheme', 'host', 'path', 'query', 'opaque', 'fragment', 'userinfo'].map((k) => field(d, k)) as string[];
  let out = scheme ? `${scheme}:` : '';
  if (opaque) out += opaque;
  else {
    if (scheme || host || userinfo) {
      if (host || path || userinfo) out += '//';
      if (userinfo) out += `${userinfo}@`;
      out += host;
    }
    const p = escape(path!, 'path');
    if (p !== '' && !p.startsWith('/') && host) out += '/';
    if (out === '' && /^[^/]*:/.test(p)) out += './';
    out += p;
  }
  if (query) out += `?${query}`;
  if (fragment) out += `#${escape(fragment, 'fragment')}`;
  return out;
}

export const urlFuncs: FuncMap = {
  urlParse: (v: unknown) => {
    try {
      return parse(str(v));
    } catch (e) {
      throw new Error(`unable to parse url: ${(e as Error).message}`);
    }
  },
  urlJoin: (d: unknown) => join(dict(d)),
};
