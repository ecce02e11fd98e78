/**
 * ACL templated policies in the CLI, as Consul 1.17's: the `-templated-policy`,
 * `-templated-policy-file` and `-var` flags of `acl token|role create` (and their
 * `-append-`/`-replace-` forms on update), turned into the API's TemplatedPolicies
 * (command/acl/acl_helpers.go ExtractTemplatedPolicies), and `acl templated-policy
 * list|read|preview` (command/acl/templatedpolicy/) with Consul's formatter.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from '../command.js';
import { FlagSet, type FlagDef, type ParsedFlags } from '../flags.js';
import type { Ui } from '../io.js';
import { apiClient, clientAndServerFlags, dcParams, errText } from '../http-flags.js';
import { formatFlag, policyJson, policyLines, printAs, type Policy, type TemplatedPolicy } from './acl-format.js';

// ---- flags of token/role create and update

const VAR_USAGE = (withFlags: string): string =>
  `Templated policy variables. Must be used in combination with ${withFlags} to specify required variables. May be specified multiple times with different variables. Format is VariableName:Value`;

/** `-templated-policy`, `-templated-policy-file` and `-var` of token and role create. */
export function templatedCreateFlags(): FlagDef[] {
  return [
    { name: 'templated-policy', kind: 'string', usage: 'The templated policy name. Use -var flag to specify variables when required.' },
    { name: 'templated-policy-file', kind: 'string', usage: 'Path to a file containing templated policies and variables.' },
    { name: 'var', kind: 'list', usage: VAR_USAGE('-templated-policy flag') },
  ];
}

/** The `-append-`/`-replace-` forms and `-var` of token and role update. */
export function templatedUpdateFlags(what: 'token' | 'role'): FlagDef[] {
  return [
    {
      name: 'append-templated-policy',
      kind: 'string',
      usage: `The templated policy name to attach to the ${what}'s existing templated policies. Use -var flag to specify variables when required. The ${what} retains existing templated policies.`,
    },
    {
      name: 'replace-templated-policy',
      kind: 'string',
      usage: `The templated policy name to replace the ${what}'s existing templated policies. Use -var flag to specify variables when required. Overwrites the ${what}'s existing templated policies.`,
    },
    { name: 'append-templated-policy-file', kind: 'string', usage: `Path to a file containing templated policy names and variables. The ${what} retains existing templated policies.` },
    { name: 'replace-templated-policy-file', kind: 'string', usage: `Path to a file containing templated policy names and variables. Overwrites the ${what}'s existing templated policies.` },
    { name: 'var', kind: 'list', usage: VAR_USAGE('-append-templated-policy or -replace-templated-policy flags') },
  ];
}

/**
 * Consul's getTemplatedPolicyVariables: each -var is NAME:VALUE; they become the variables as
 * Go decodes a JSON object of them (the key `name` in any case; others ignored). None: no variables.
 */
function variables(raw: string[]): TemplatedPolicy['TemplateVariables'] {
  if (raw.length === 0) return undefined;
  const pairs = new Map<string, string>();
  for (const v of raw) {
    const parts = v.split(':');
    if (parts.length !== 2) throw new Error(`Malformed -var argument: ${JSON.stringify(v)}, expecting VariableName:Value`);
    pairs.set(parts[0]!, parts[1]!);
  }
  const key = pairs.has('name') ? 'name' : [...pairs.keys()].find((k) => k.toLowerCase() === 'name');
  return { Name: key === undefined ? '' : pairs.get(key)! };
}

// ---- the templated policy file: `TemplatedPolicy "<template>" { Name = "...", Datacenters = [...] }`, repeated

type Tok = { t: 'str' | 'id' | 'p'; v: string };

function tokens(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s|,/.test(c)) i++;
    else if (c === '#' || src.startsWith('//', i)) while (i < src.length && src[i] !== '\n') i++;
    else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 2;
    } else if (c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length || src[i] === '\n') throw new Error('unterminated string');
        if (src[i] === '"') break;
        if (src[i] === '\\' && i + 1 < src.length) {
          const e = src[i + 1]!;
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
        } else v += src[i++];
      }
      i++;
      out.push({ t: 'str', v });
    } else if ('{}[]='.includes(c)) {
      out.push({ t: 'p', v: c });
      i++;
    } else {
      const m = /^[A-Za-z0-9_./-]+/.exec(src.slice(i));
      if (!m) throw new Error(`unexpected character ${JSON.stringify(c)}`);
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/** One `TemplatedPolicy` body's fields (HCL keys match without regard to case). */
function entry(name: string, body: Record<string, unknown>): TemplatedPolicy {
  let vars = '';
  let dcs: string[] | undefined;
  for (const [k, v] of Object.entries(body)) {
    if (k.toLowerCase() === 'name') {
      if (typeof v !== 'string') throw new Error(`${name}: Name must be a string`);
      vars = v;
    } else if (k.toLowerCase() === 'datacenters') {
      if (!Array.isArray(v) || !v.every((d) => typeof d === 'string')) throw new Error(`${name}: Datacenters must be a list of strings`);
      dcs = v as string[];
    }
  }
  return { TemplateName: name, TemplateVariables: { Name: vars }, ...(dcs?.length ? { Datacenters: dcs } : {}) };
}

/** The file's templated policies in file order, each block its own (HCL, or its JSON form). */
export function parseTemplatedPolicyFile(text: string): TemplatedPolicy[] {
  const out: TemplatedPolicy[] = [];
  if (text.trimStart().startsWith('{')) {
    const doc = JSON.parse(text) as Record<string, unknown>;
    const many = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
    for (const [k, v] of Object.entries(doc)) {
      if (k.toLowerCase() !== 'templatedpolicy') continue;
      for (const group of many(v)) {
        if (typeof group !== 'object' || group === null) throw new Error('TemplatedPolicy must be an object');
        for (const [name, bodies] of Object.entries(group)) {
          for (const body of many(bodies)) {
            if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error(`${name}: expected an object`);
            out.push(entry(name, body as Record<string, unknown>));
          }
        }
      }
    }
    return out;
  }
  const toks = tokens(text);
  let i = 0;
  const next = (what: string): Tok => {
    const t = toks[i++];
    if (!t) throw new Error(`expected ${what}, got end of input`);
    return t;
  };
  while (i < toks.length) {
    const key = next('TemplatedPolicy');
    if (key.t !== 'id' || key.v.toLowerCase() !== 'templatedpolicy') throw new Error(`unexpected ${JSON.stringify(key.v)}, expected TemplatedPolicy`);
    const label = next('a templated policy name');
    if (label.t === 'p') throw new Error(`expected a templated policy name, got ${JSON.stringify(label.v)}`);
    if (next('{').v !== '{') throw new Error(`expected '{' after TemplatedPolicy ${JSON.stringify(label.v)}`);
    const body: Record<string, unknown> = {};
    for (;;) {
      const k = next("'}'");
      if (k.t === 'p' && k.v === '}') break;
      if (k.t === 'p') throw new Error(`unexpected ${JSON.stringify(k.v)}`);
      if (next('=').v !== '=') throw new Error(`expected '=' after ${k.v}`);
      const v = next('a value');
      if (v.t === 'p' && v.v === '[') {
        const items: string[] = [];
        for (let x = next("']'"); !(x.t === 'p' && x.v === ']'); x = next("']'")) {
          if (x.t !== 'str') throw new Error(`${k.v}: expected a string`);
          items.push(x.v);
        }
        body[k.v] = items;
      } else if (v.t === 'str') {
        body[k.v] = v.v;
      } else {
        throw new Error(`${k.v}: expected a string or a list`);
      }
    }
    out.push(entry(label.v, body));
  }
  return out;
}

/**
 * Consul's ExtractTemplatedPolicies: the one named by the flag with the -var variables, then
 * those of the file. Throws with the text to print.
 */
export async function extractTemplatedPolicies(name: string, file: string, vars: string[]): Promise<TemplatedPolicy[]> {
  const out: TemplatedPolicy[] = [];
  if (name !== '') {
    const v = variables(vars);
    out.push({ TemplateName: name, ...(v ? { TemplateVariables: v } : {}) });
  }
  if (file !== '') {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new Error(`Failed to read file: ${errText(err)}`);
    }
    try {
      out.push(...parseTemplatedPolicyFile(text));
    } catch (err) {
      throw new Error(`Failed to decode templated policy file: ${errText(err)}`);
    }
  }
  return out;
}

/** What `-append-*`/`-replace-*` ask of an update: the policies, and whether they replace; undefined after the error. */
export async function templatedUpdate(f: ParsedFlags, ui: Ui): Promise<{ list: TemplatedPolicy[]; replace: boolean } | undefined> {
  const [append, appendFile] = [f.string('append-templated-policy'), f.string('append-templated-policy-file')];
  const [replace, replaceFile] = [f.string('replace-templated-policy'), f.string('replace-templated-policy-file')];
  const replacing = replace !== '' || replaceFile !== '';
  if (replacing && (append !== '' || appendFile !== '')) {
    ui.error(
      'Cannot combine the use of append-templated-policy flags with replace-templated-policy. ' +
        'To set or overwrite existing templated policies, use -replace-templated-policy or -replace-templated-policy-file. ' +
        'To append to existing templated policies, use -append-templated-policy or -append-templated-policy-file.',
    );
    return undefined;
  }
  try {
    const list = replacing ? await extractTemplatedPolicies(replace, replaceFile, f.list('var')) : await extractTemplatedPolicies(append, appendFile, f.list('var'));
    return { list, replace: replacing };
  } catch (err) {
    ui.error(errText(err));
    return undefined;
  }
}

/** A templated policy as the API's client sends it back (api.ACLTemplatedPolicy: no TemplateID). */
export function apiTemplated(tp: TemplatedPolicy & { TemplateVariables?: { Name?: string; name?: string } }): TemplatedPolicy {
  const vars = tp.TemplateVariables;
  return {
    TemplateName: tp.TemplateName,
    ...(vars ? { TemplateVariables: { Name: vars.Name ?? vars.name ?? '' } } : {}),
    ...(tp.Datacenters?.length ? { Datacenters: tp.Datacenters } : {}),
  };
}

// ---- acl templated-policy list | read | preview

/** api.ACLTemplatedPolicyResponse as Consul 1.17 answers it. */
interface TemplatedPolicyResponse {
  TemplateName: string;
  Schema: string;
  Template: string;
}

/** Consul 1.17's pretty templated policy (command/acl/templatedpolicy/formatter.go); -meta adds the schema and template. */
export function templatedPolicyLines(tp: TemplatedPolicyResponse, meta = false): string[] {
  const lines = [`Name:            ${tp.TemplateName}`];
  const example = (vars: string) => ['Example usage:', `\tconsul acl token create -templated-policy ${tp.TemplateName}${vars}`];
  switch (tp.TemplateName) {
    case 'builtin/service':
      lines.push('Input variables:', '\tName: String - Required - The name of the service.', ...example(' -var name:api'));
      break;
    case 'builtin/node':
      lines.push('Input variables:', '\tName: String - Required - The node name.', ...example(' -var name:node-1'));
      break;
    case 'builtin/dns':
      lines.push('Input variables: None', ...example(''));
      break;
    default:
      lines.push('Input variables:   None');
  }
  if (meta) {
    if (tp.Schema !== '') lines.push('Schema:', tp.Schema, '');
    lines.push('Raw Template:', tp.Template);
  }
  return lines;
}

const show = (tp: TemplatedPolicyResponse): TemplatedPolicyResponse => ({ TemplateName: tp.TemplateName, Schema: tp.Schema, Template: tp.Template });

export const aclTemplatedPolicyList: Command = {
  synopsis: 'Lists ACL templated policies',
  help: `Usage: proconsul acl templated-policy list [options]

    Lists all the ACL templated policies.

    Example:

        $ proconsul acl templated-policy list`,
  flags: () => new FlagSet([formatFlag()]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    let tps: Record<string, TemplatedPolicyResponse>;
    try {
      tps = (await client.http.json<Record<string, TemplatedPolicyResponse>>({ method: 'GET', path: '/acl/templated-policies', params: dcParams(client) })).data ?? {};
    } catch (err) {
      ui.error(`Failed to retrieve the templated policies list: ${errText(err)}`);
      return 1;
    }
    const names = Object.values(tps)
      .map((t) => t.TemplateName)
      .sort();
    const sorted = Object.fromEntries(Object.keys(tps).sort().map((k) => [k, show(tps[k]!)]));
    return printAs(ui, f.string('format'), () => names, () => sorted);
  },
};

export const aclTemplatedPolicyRead: Command = {
  synopsis: 'Read an ACL Templated Policy',
  help: `Usage: proconsul acl templated-policy read [options] TEMPLATED_POLICY

  This command will retrieve and print out the details of a single templated policy.

  Example:

      $ proconsul acl templated-policy read -name templated-policy-name`,
  flags: () =>
    new FlagSet([
      { name: 'name', kind: 'string', usage: 'The name of the templated policy to read.' },
      formatFlag(),
      { name: 'meta', kind: 'bool', usage: 'Indicates that templated policy metadata such as the schema and template code should be shown for each entry.' },
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const name = f.string('name');
    if (name === '') {
      ui.error('Must specify the -name parameter');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    let tp: TemplatedPolicyResponse | undefined;
    try {
      const r = await client.http.json<TemplatedPolicyResponse>({ method: 'GET', path: `/acl/templated-policy/name/${name}`, params: dcParams(client), allowStatus: [404] });
      tp = r.status === 404 ? undefined : r.data;
    } catch (err) {
      ui.error(`Error reading templated policy ${JSON.stringify(name)}: ${errText(err)}`);
      return 1;
    }
    if (!tp) {
      ui.error(`Templated policy not found with name ${JSON.stringify(name)}`);
      return 1;
    }
    const found = tp;
    const meta = f.set.has('meta') && f.bool('meta');
    return printAs(ui, f.string('format'), () => templatedPolicyLines(found, meta), () => show(found));
  },
};

export const aclTemplatedPolicyPreview: Command = {
  synopsis: 'Preview the policy rendered by the ACL templated policy',
  help: `Usage: proconsul acl templated-policy preview [options]

    Preview the policy rendered by the ACL templated policy.

    Example:

        $ proconsul acl templated-policy preview -name "builtin/service" -var "name:api"

    Preview a templated policy using a file.

    Example:

        $ proconsul acl templated-policy preview -file templated-policy-file.hcl`,
  flags: () =>
    new FlagSet([
      formatFlag(),
      { name: 'var', kind: 'list', usage: VAR_USAGE('-name flag') },
      { name: 'name', kind: 'string', usage: 'The templated policy name.  Use -var flag to specify variables when required.' },
      { name: 'file', kind: 'string', usage: 'Path to a file containing templated policies and variables.' },
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const [name, file] = [f.string('name'), f.string('file')];
    if (name === '' && file === '') {
      ui.error('Cannot preview a templated policy without specifying -name or -file');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    let parsed: TemplatedPolicy[];
    try {
      parsed = await extractTemplatedPolicies(name, file, f.list('var'));
    } catch (err) {
      ui.error(errText(err));
      return 1;
    }
    if (parsed.length !== 1) {
      ui.error('Can only preview a single templated policy at a time.');
      return 1;
    }
    const tp = parsed[0]!;
    let policy: Policy;
    try {
      // The Go client posts the variables alone (`null` when there are none).
      const body = tp.TemplateVariables ?? null;
      policy = (await client.http.json<Policy>({ method: 'POST', path: `/acl/templated-policy/preview/${tp.TemplateName}`, params: dcParams(client), body })).data;
    } catch (err) {
      ui.error(`Failed to generate the templated policy preview: ${errText(err)}`);
      return 1;
    }
    return printAs(ui, f.string('format'), () => policyLines(policy), () => policyJson(policy));
  },
};
