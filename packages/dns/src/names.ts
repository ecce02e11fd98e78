// Parsing a question name into a Consul lookup (agent/dns.go `dispatch`): the last
// "kind" label (service, node, addr, ...) splits the name into parts and suffixes.

/**
 * Where a lookup applies: the datacenter named in the suffix labels (or the agent's), or a
 * cluster peer (`<peer>.peer`), never both.
 */
export type Locality = { datacenter?: string; peer?: string } | undefined;

export type ParsedName =
  | { kind: 'service'; service: string; tag: string; locality: Locality }
  | { kind: 'node'; node: string; locality: Locality }
  | { kind: 'addr'; hex: string }
  | { kind: 'query'; query: string; locality: Locality }
  | { kind: 'connect' | 'ingress'; service: string; locality: Locality }
  | { kind: 'virtual'; service: string; peer: string }
  | { kind: 'invalid' };

const KINDS = new Set(['service', 'connect', 'virtual', 'ingress', 'node', 'query', 'addr']);

/**
 * Suffix labels after the kind (Consul's CE parseLocality, agent/dns_ce.go): none (agent's DC),
 * `<dc>`, or label pairs `<dc>.dc` / `<peer>.peer` (not both). Enterprise forms (`.ns`, `.ap`)
 * are not supported here.
 */
export function parseLocality(suffixes: string[]): Locality | 'invalid' {
  if (suffixes.length === 0) return {};
  if (suffixes.length === 1) return { datacenter: suffixes[0] };
  if (suffixes.length !== 2 && suffixes.length !== 4) return 'invalid';
  const out: { datacenter?: string; peer?: string } = {};
  for (let i = 0; i < suffixes.length; i += 2) {
    const kind = suffixes[i + 1];
    if (kind === 'dc') out.datacenter = suffixes[i]!;
    else if (kind === 'peer') out.peer = suffixes[i]!;
    else return 'invalid';
  }
  return out.datacenter !== undefined && out.peer !== undefined ? 'invalid' : out;
}

/**
 * The peer of `<service>.virtual[.<peer>][.<peer>.peer]` (agent/dns.go "virtual": the peer
 * named by `.peer`, else a lone label; a `<dc>.dc` pair is parsed and ignored, as virtual IPs
 * are only looked up in the agent's datacenter). '' is the local cluster; undefined: invalid.
 */
function virtualPeer(suffixes: string[]): string | undefined {
  const locality = parseLocality(suffixes);
  if (locality === 'invalid') return undefined;
  if (locality?.peer !== undefined) return locality.peer;
  return suffixes.length === 1 ? suffixes[0]! : '';
}

/**
 * `labels` are the lowercased labels of the question name with the domain removed.
 * `isSrv`: the `.service` label may be left out of RFC 2782 names for SRV questions.
 */
export function parseName(labels: string[], isSrv: boolean): ParsedName {
  let kind = '';
  let parts: string[] = [];
  let suffixes: string[] = [];
  for (let i = labels.length - 1; i >= 0; i--) {
    const label = labels[i]!;
    if (KINDS.has(label)) {
      kind = label;
      parts = labels.slice(0, i);
      suffixes = labels.slice(i + 1);
      break;
    }
    if (isSrv && label.startsWith('_')) {
      kind = 'service';
      parts = labels.slice(0, i + 1);
      suffixes = labels.slice(i + 1);
      break;
    }
  }
  const invalid: ParsedName = { kind: 'invalid' };
  switch (kind) {
    case 'service': {
      const n = parts.length;
      if (n < 1) return invalid;
      const locality = parseLocality(suffixes);
      if (locality === 'invalid') return invalid;
      if (n === 2 && parts[0]!.startsWith('_') && parts[1]!.startsWith('_')) {
        // RFC 2782: _<service>._<tag>; `_tcp` means no tag filter.
        const tag = parts[1]!.slice(1);
        return { kind: 'service', service: parts[0]!.slice(1), tag: tag === 'tcp' ? '' : tag, locality };
      }
      // [<tag>.]<service>: leading labels joined back into one tag (dots allowed).
      return { kind: 'service', service: parts[n - 1]!, tag: parts.slice(0, n - 1).join('.'), locality };
    }
    case 'node': {
      if (parts.length < 1) return invalid;
      const locality = parseLocality(suffixes);
      if (locality === 'invalid') return invalid;
      return { kind: 'node', node: parts.join('.'), locality };
    }
    case 'connect':
    case 'ingress': {
      if (parts.length < 1) return invalid;
      const locality = parseLocality(suffixes);
      if (locality === 'invalid') return invalid;
      return { kind, service: parts[parts.length - 1]!, locality };
    }
    case 'virtual': {
      if (parts.length < 1) return invalid;
      const peer = virtualPeer(suffixes);
      return peer === undefined ? invalid : { kind: 'virtual', service: parts[parts.length - 1]!, peer };
    }
    case 'query': {
      const n = parts.length;
      if (n < 1) return invalid;
      const locality = parseLocality(suffixes);
      if (locality === 'invalid') return invalid;
      // RFC 2782 `_<name>._<proto>`: the last label is the protocol; dots allowed in names.
      if (n >= 2 && parts[0]!.startsWith('_') && parts[n - 1]!.startsWith('_')) {
        return { kind: 'query', query: parts.slice(0, n - 1).join('.').slice(1), locality };
      }
      return { kind: 'query', query: parts.join('.'), locality };
    }
    case 'addr':
      return parts.length === 1 ? { kind: 'addr', hex: parts[0]! } : invalid;
    default:
      return invalid;
  }
}

/** Splits a (lowercase, no trailing dot) name into labels; '' gives []. */
export function splitLabels(name: string): string[] {
  return name === '' ? [] : name.split('.');
}

/** Normalises a domain to lowercase with one trailing dot ('consul' -> 'consul.'). */
export function fqdn(domain: string): string {
  const d = domain.toLowerCase();
  return d.endsWith('.') ? d : `${d}.`;
}

/**
 * Which of the configured domains a (lowercase, trailing-dot) name is in; the longer
 * domain wins (as `trimDomain` does). Returns the matched domain or undefined.
 */
export function matchDomain(name: string, domains: string[]): string | undefined {
  let best: string | undefined;
  for (const d of domains) {
    if (name === d || name.endsWith(`.${d}`)) {
      if (best === undefined || d.length > best.length) best = d;
    }
  }
  return best;
}
