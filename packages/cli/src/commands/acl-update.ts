/**
 * `proconsul acl token update|clone`, `acl policy update` and `acl role read|update`: Consul's
 * read-modify-write commands (command/acl/{token,policy,role}/...), its partial-ID lookups
 * (command/acl/acl_helpers.go) and its texts.
 */
import type { Consul } from '@proconsul/api';
import type { Command } from '../command.js';
import { FlagSet, type FlagDef, type ParsedFlags } from '../flags.js';
import type { Ui } from '../io.js';
import { apiClient, clientAndServerFlags, dcParams, errText } from '../http-flags.js';
import {
  formatFlag,
  metaFlag,
  printAs,
  policyJson,
  policyLines,
  roleJson,
  roleLines,
  tokenJson,
  tokenLines,
  type AclLink,
  type NodeIdentity,
  type Policy,
  type Role,
  type ServiceIdentity,
  type Token,
} from './acl-format.js';
import { apiTemplated, templatedUpdate, templatedUpdateFlags } from './acl-templated.js';
import { readDataArg } from './kv-data.js';

/** A link as sent: by ID or by name (the agent resolves names). */
type LinkRef = Partial<AclLink>;

const ANONYMOUS_TOKEN_ID = '00000000-0000-0000-0000-000000000002';
const GLOBAL_MANAGEMENT_POLICY_ID = '00000000-0000-0000-0000-000000000001';

const get = async <T>(client: Consul, path: string): Promise<T> => (await client.http.json<T>({ method: 'GET', path, params: dcParams(client) })).data;

const put = async <T>(client: Consul, path: string, body: unknown): Promise<T> =>
  (await client.http.json<T>({ method: 'PUT', path, params: dcParams(client), body })).data;

/** GET that answers undefined on 404, as the Go client's RoleRead does (requireNotFoundOrOK). */
export async function getOrMissing<T>(client: Consul, path: string): Promise<T | undefined> {
  const r = await client.http.json<T>({ method: 'GET', path, params: dcParams(client), allowStatus: [404] });
  return r.status === 404 ? undefined : r.data;
}

/**
 * getOrMissing for a command: an error prints `<errorPrefix>: <error>`, a 404 prints `missing`;
 * either answers undefined (the command exits 1).
 */
export async function readOrReport<T>(client: Consul, ui: Ui, path: string, errorPrefix: string, missing: string): Promise<T | undefined> {
  let v: T | undefined;
  try {
    v = await getOrMissing<T>(client, path);
  } catch (err) {
    ui.error(`${errorPrefix}: ${errText(err)}`);
    return undefined;
  }
  if (!v) ui.error(missing);
  return v;
}

/**
 * Consul's Get*IDFromPartial: a 36-character ID as given, else the one ID of the list that starts
 * with it. A binding rule's texts say "rule", and its not-found one wraps acl.ErrNotFound.
 */
export async function idFromPartial(client: Consul, partial: string, what: 'token' | 'policy' | 'role' | 'binding-rule'): Promise<string> {
  if (partial.length === 36) return partial;
  const path = { token: '/acl/tokens', policy: '/acl/policies', role: '/acl/roles', 'binding-rule': '/acl/binding-rules' }[what];
  const all = (await get<Array<{ AccessorID?: string; ID?: string }> | null>(client, path)) ?? [];
  const hits = all.map((x) => (what === 'token' ? x.AccessorID : x.ID) ?? '').filter((id) => id.startsWith(partial));
  const noun = what === 'binding-rule' ? 'rule' : what;
  if (hits.length > 1) throw new Error(`Partial ${noun} ID is not unique`);
  if (hits.length === 0) throw new Error(what === 'binding-rule' ? `no such rule ID with prefix: ${partial}: ACL not found` : `No such ${what} ID with prefix: ${partial}`);
  return hits[0]!;
}

const tokenIdFromPartial = (client: Consul, partial: string): Promise<string> =>
  partial === 'anonymous' ? Promise.resolve(ANONYMOUS_TOKEN_ID) : idFromPartial(client, partial, 'token');

const policyIdFromPartial = (client: Consul, partial: string): Promise<string> =>
  partial === 'global-management' ? Promise.resolve(GLOBAL_MANAGEMENT_POLICY_ID) : idFromPartial(client, partial, 'policy');

/** Consul's ExtractServiceIdentities: NAME or NAME:DC1,DC2. */
function serviceIdentities(raw: string[]): ServiceIdentity[] {
  return raw.map((s) => {
    const parts = s.split(':');
    if (parts.length === 1) return { ServiceName: s };
    if (parts.length === 2) return { ServiceName: parts[0]!, Datacenters: parts[1]!.split(',') };
    throw new Error(`Malformed -service-identity argument: ${JSON.stringify(s)}`);
  });
}

/** Consul's ExtractNodeIdentities: NAME:DC. */
function nodeIdentities(raw: string[]): NodeIdentity[] {
  return raw.map((n) => {
    const parts = n.split(':');
    if (parts.length !== 2) throw new Error(`Malformed -node-identity argument: ${JSON.stringify(n)}`);
    return { NodeName: parts[0]!, Datacenter: parts[1]! };
  });
}

/** A service identity replaces the one of the same name, else is added. */
function mergeServiceIdentities(current: ServiceIdentity[], add: ServiceIdentity[]): ServiceIdentity[] {
  const out = [...current];
  for (const s of add) {
    const i = out.findIndex((c) => c.ServiceName === s.ServiceName);
    if (i >= 0) out[i] = s;
    else out.push(s);
  }
  return out;
}

/** A node identity is added unless the same name and datacenter are there. */
function mergeNodeIdentities(current: NodeIdentity[], add: NodeIdentity[]): NodeIdentity[] {
  const out = [...current];
  for (const n of add) if (!out.some((c) => c.NodeName === n.NodeName && c.Datacenter === n.Datacenter)) out.push(n);
  return out;
}

const meta = (f: ParsedFlags): boolean => f.set.has('meta') && f.bool('meta');

const list = (name: string, usage: string): FlagDef => ({ name, kind: 'list', usage });

/**
 * A token's policy or role links after the flags: -X-id/-X-name replace them, -append-X-id/
 * -append-X-name add to them, the deprecated -merge-Xs adds those of -X-id/-X-name not there yet.
 * Undefined after the error is printed.
 */
async function tokenLinks(f: ParsedFlags, ui: Ui, client: Consul, kind: 'policy' | 'role', current: LinkRef[]): Promise<LinkRef[] | undefined> {
  const many = kind === 'policy' ? 'policies' : 'roles';
  const resolve = kind === 'policy' ? policyIdFromPartial : (c: Consul, p: string) => idFromPartial(c, p, 'role');
  let names = f.list(`${kind}-name`);
  let ids = f.list(`${kind}-id`);
  let links = [...current];
  const merge = f.set.has(`merge-${many}`) && f.bool(`merge-${many}`);
  if (merge) {
    ui.warn(`merge-${many} is deprecated and will be removed in a future Consul version. Use \`append-${kind}-name\` or \`append-${kind}-id\` instead.`);
  } else {
    const [addIds, addNames] = [f.list(`append-${kind}-id`), f.list(`append-${kind}-name`)];
    const replace = ids.length > 0 || names.length > 0;
    if (replace && addIds.length + addNames.length > 0) {
      ui.error(
        `Cannot combine the use of ${kind}-id/${kind}-name flags with append- variants. ` +
          `To set or overwrite existing ${many}, use -${kind}-id or -${kind}-name. ` +
          `To append to existing ${many}, use -append-${kind}-id or -append-${kind}-name.`,
      );
      return undefined;
    }
    if (replace) links = [];
    else [ids, names] = [addIds, addNames];
  }
  for (const n of names) if (!merge || !links.some((l) => l.Name === n)) links.push({ Name: n });
  for (const raw of ids) {
    let id: string;
    try {
      id = await resolve(client, raw);
    } catch (err) {
      ui.error(`Error resolving ${kind} ID ${raw}: ${errText(err)}`);
      return undefined;
    }
    if (!merge || !links.some((l) => l.ID === id)) links.push({ ID: id });
  }
  return links;
}

/**
 * The token an update or clone names: -accessor-id, else the deprecated -id (with the command's
 * own warning), a unique prefix resolved; undefined after printing Consul's error. Both commands
 * say "update" when neither is given, as Consul's do.
 */
async function accessorOf(f: ParsedFlags, ui: Ui, idWarning: string, lookupError: string): Promise<{ client: Consul; id: string } | undefined> {
  let accessor = f.string('accessor-id');
  if (accessor === '') {
    if (f.string('id') === '') {
      ui.error('Cannot update a token without specifying the -accessor-id parameter');
      return undefined;
    }
    accessor = f.string('id');
    ui.warn(idWarning);
  }
  const client = apiClient(f, ui);
  if (!client) return undefined;
  try {
    return { client, id: await tokenIdFromPartial(client, accessor) };
  } catch (err) {
    ui.error(`${lookupError}: ${errText(err)}`);
    return undefined;
  }
}

export const aclTokenUpdate: Command = {
  synopsis: 'Update an ACL token',
  help: `Usage: proconsul acl token update [options]

  This command will update a token. Some parts such as marking the token local
  cannot be changed.

  Update a token description and take the policies from the existing token:

      $ proconsul acl token update -accessor-id abcd -description "replication" -merge-policies

  Update all editable fields of the token:

      $ proconsul acl token update -accessor-id abcd \\
                                   -description "replication" \\
                                   -policy-name "token-replication" \\
                                   -role-name "db-updater"

  Add a templated policy, keeping the token's others:

      $ proconsul acl token update -accessor-id abcd -append-templated-policy builtin/service -var name:api`,
  flags: () =>
    new FlagSet([
      metaFlag('token'),
      { name: 'accessor-id', kind: 'string', usage: 'The Accessor ID of the token to update. It may be specified as a unique ID prefix but will error if the prefix matches multiple token Accessor IDs' },
      { name: 'description', kind: 'string', usage: 'A description of the token' },
      list('policy-id', 'ID of a policy to use for this token. Overwrites existing policies. May be specified multiple times'),
      list('append-policy-id', 'ID of a policy to use for this token. The token retains existing policies. May be specified multiple times'),
      list('policy-name', 'Name of a policy to use for this token. Overwrites existing policies. May be specified multiple times'),
      list('append-policy-name', 'Name of a policy to add to this token. The token retains existing policies. May be specified multiple times'),
      list('role-id', 'ID of a role to use for this token. Overwrites existing roles. May be specified multiple times'),
      list('role-name', 'Name of a role to use for this token. Overwrites existing roles. May be specified multiple times'),
      list('append-role-id', 'ID of a role to add to this token. The token retains existing roles. May be specified multiple times'),
      list('append-role-name', 'Name of a role to add to this token. The token retains existing roles. May be specified multiple times'),
      list('service-identity', 'Name of a service identity to use for this token. May be specified multiple times. Format is the SERVICENAME or SERVICENAME:DATACENTER1,DATACENTER2,...'),
      list('append-service-identity', 'Name of a service identity to use for this token. This token retains existing service identities. May be specifiedmultiple times. Format is the SERVICENAME or SERVICENAME:DATACENTER1,DATACENTER2,...'),
      list('node-identity', 'Name of a node identity to use for this token. May be specified multiple times. Format is NODENAME:DATACENTER'),
      list('append-node-identity', 'Name of a node identity to use for this token. This token retains existing node identities. May be specified multiple times. Format is NODENAME:DATACENTER'),
      ...templatedUpdateFlags('token'),
      formatFlag(),
    ])
      .merge(clientAndServerFlags())
      .merge(
        new FlagSet([
          { name: 'id', kind: 'string', hidden: true, usage: 'DEPRECATED. Use -accessor-id instead.' },
          { name: 'merge-policies', kind: 'bool', hidden: true, usage: 'DEPRECATED. Use -append-policy-id or -append-policy-name instead.' },
          { name: 'merge-roles', kind: 'bool', hidden: true, usage: 'DEPRECATED. Use -append-role-id or -append-role-name instead.' },
          { name: 'merge-service-identities', kind: 'bool', hidden: true, usage: 'DEPRECATED. Use -append-service-identity instead.' },
          { name: 'merge-node-identities', kind: 'bool', hidden: true, usage: 'DEPRECATED. Use -append-node-identity instead.' },
        ]),
      ),
  async run(f, ui) {
    const found = await accessorOf(f, ui, 'Use the -accessor-id parameter to specify token by Accessor ID', 'Error determining token ID');
    if (!found) return 1;
    const { client, id } = found;
    let t: Token;
    try {
      t = await get<Token>(client, `/acl/token/${encodeURIComponent(id)}`);
    } catch (err) {
      ui.error(`Error when retrieving current token: ${errText(err)}`);
      return 1;
    }
    // An empty -description keeps the current one: the CLI cannot clear a description.
    if (f.string('description') !== '') t.Description = f.string('description');

    const [svcSet, svcAdd] = [f.list('service-identity'), f.list('append-service-identity')];
    if (svcSet.length > 0 && svcAdd.length > 0) {
      ui.error(
        'Cannot combine the use of service-identity flag with append-service-identity. ' +
          'To set or overwrite existing service identities, use -service-identity. ' +
          'To append to existing service identities, use -append-service-identity.',
      );
      return 1;
    }
    const [nodeSet, nodeAdd] = [f.list('node-identity'), f.list('append-node-identity')];
    let services: ServiceIdentity[];
    let nodes: NodeIdentity[];
    try {
      services = serviceIdentities(svcAdd.length > 0 ? svcAdd : svcSet);
      if (nodeSet.length > 0 && nodeAdd.length > 0) {
        ui.error(
          'Cannot combine the use of node-identity flag with append-node-identity. ' +
            'To set or overwrite existing node identities, use -node-identity. ' +
            'To append to existing node identities, use -append-node-identity.',
        );
        return 1;
      }
      nodes = nodeIdentities(nodeAdd.length > 0 ? nodeAdd : nodeSet);
    } catch (err) {
      ui.error(errText(err));
      return 1;
    }

    // -replace-templated-policy* replace the token's templated policies, -append-* add to them.
    const tpl = await templatedUpdate(f, ui);
    if (!tpl) return 1;
    const templated = tpl.replace ? tpl.list : [...(t.TemplatedPolicies ?? []).map(apiTemplated), ...tpl.list];

    const policies = await tokenLinks(f, ui, client, 'policy', t.Policies ?? []);
    if (!policies) return 1;
    const roles = await tokenLinks(f, ui, client, 'role', t.Roles ?? []);
    if (!roles) return 1;
    // Without -append-*/-merge-* the identities given replace the token's: none given, none kept.
    const mergeServices = svcAdd.length > 0 || (f.set.has('merge-service-identities') && f.bool('merge-service-identities'));
    const mergeNodes = nodeAdd.length > 0 || (f.set.has('merge-node-identities') && f.bool('merge-node-identities'));
    const body = {
      ...t,
      Policies: policies,
      Roles: roles,
      ServiceIdentities: mergeServices ? mergeServiceIdentities(t.ServiceIdentities ?? [], services) : services,
      NodeIdentities: mergeNodes ? mergeNodeIdentities(t.NodeIdentities ?? [], nodes) : nodes,
      TemplatedPolicies: templated.length ? templated : undefined,
    };
    let updated: Token;
    try {
      updated = await put<Token>(client, `/acl/token/${encodeURIComponent(id)}`, body);
    } catch (err) {
      ui.error(`Failed to update token ${id}: ${errText(err)}`);
      return 1;
    }
    return printAs(ui, f.string('format'), () => tokenLines(updated, meta(f)), () => tokenJson(updated));
  },
};

export const aclTokenClone: Command = {
  synopsis: 'Clone an ACL token',
  help: `Usage: proconsul acl token clone [options]

  This command will clone a token. When cloning an alternate description may be given
  for use with the new token.

  Example:

      $ proconsul acl token clone -accessor-id abcd -description "replication"`,
  flags: () =>
    new FlagSet([
      {
        name: 'accessor-id',
        kind: 'string',
        usage:
          'The Accessor ID of the token to clone. It may be specified as a unique ID prefix but will error if the prefix matches multiple token Accessor IDs. The special value of \'anonymous\' may be provided instead of the anonymous tokens accessor ID',
      },
      { name: 'description', kind: 'string', usage: 'A description of the new cloned token' },
      formatFlag(),
    ])
      .merge(clientAndServerFlags())
      .merge(new FlagSet([{ name: 'id', kind: 'string', hidden: true, usage: 'DEPRECATED. Use -accessor-id instead.' }])),
  async run(f, ui) {
    const found = await accessorOf(f, ui, 'The -id parameter is deprecated. Use the -accessor-id parameter instead.', 'Error determining token Accessor ID');
    if (!found) return 1;
    const { client, id } = found;
    let t: Token;
    try {
      t = await put<Token>(client, `/acl/token/${encodeURIComponent(id)}/clone`, { Description: f.string('description') });
    } catch (err) {
      ui.error(`Error cloning token: ${errText(err)}`);
      return 1;
    }
    return printAs(ui, f.string('format'), () => tokenLines(t), () => tokenJson(t));
  },
};

export const aclPolicyUpdate: Command = {
  synopsis: 'Update an ACL policy',
  help: `Usage: proconsul acl policy update [options]

  Updates a policy. By default it will merge the policy information with its
  current state so that you do not have to provide all parameters. This
  behavior can be disabled by passing -no-merge.

  Rename the policy:

      $ proconsul acl policy update -id abcd -name "better-name"

  Override all policy attributes:

      # this will remove any datacenter scope if provided and will remove
      # the description
      $ proconsul acl policy update -id abcd -name "better-name" -rules @rules.hcl`,
  flags: () =>
    new FlagSet([
      metaFlag('policy'),
      { name: 'id', kind: 'string', usage: 'The ID of the policy to update. It may be specified as a unique ID prefix but will error if the prefix matches multiple policy IDs' },
      { name: 'name', kind: 'string', usage: 'The policies name.' },
      { name: 'description', kind: 'string', usage: 'A description of the policy' },
      list('valid-datacenter', 'Datacenter that the policy should be valid within. This flag may be specified multiple times'),
      {
        name: 'rules',
        kind: 'string',
        usage: 'The policy rules. May be prefixed with \'@\' to indicate that the value is a file path to load the rules from. \'-\' may also be given to indicate that the rules are available on stdin',
      },
      { name: 'no-merge', kind: 'bool', usage: 'Do not merge the current policy information with what is provided to the command. Instead overwrite all fields with the exception of the policy ID which is immutable.' },
      formatFlag(),
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const [given, name] = [f.string('id'), f.string('name')];
    if (given === '' && name === '') {
      ui.error('Must specify either the -id or -name parameters');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    let id: string;
    try {
      if (given !== '') id = await policyIdFromPartial(client, given);
      else {
        // Consul's GetPolicyIDByName. (Consul itself fails on a nil policy when the name is unknown.)
        try {
          id = (await get<Policy>(client, `/acl/policy/name/${encodeURIComponent(name)}`)).ID;
        } catch (err) {
          throw new Error(`Failed to find policy with name ${name}: ${errText(err)}`);
        }
      }
    } catch (err) {
      ui.error(`Error determining policy ID: ${errText(err)}`);
      return 1;
    }
    let rules: string;
    try {
      rules = new TextDecoder().decode(await readDataArg(f.string('rules'), ui.io));
    } catch (err) {
      ui.error(`Error loading data source: ${errText(err)}`);
      return 1;
    }
    const datacenters = f.list('valid-datacenter');
    let body: Policy;
    if (f.set.has('no-merge') && f.bool('no-merge')) {
      body = { ID: id, Name: name, Description: f.string('description'), Datacenters: datacenters, Rules: rules };
    } else {
      let p: Policy;
      try {
        p = await get<Policy>(client, `/acl/policy/${encodeURIComponent(id)}`);
      } catch (err) {
        ui.error(`Error reading policy ${JSON.stringify(id)}: ${errText(err)}`);
        return 1;
      }
      // A flag given replaces the field, even with an empty value; -valid-datacenter replaces the list.
      body = {
        ID: id,
        Name: f.set.has('name') ? name : p.Name,
        Description: f.set.has('description') ? f.string('description') : p.Description,
        Datacenters: datacenters.length > 0 ? datacenters : (p.Datacenters ?? []),
        Rules: f.set.has('rules') ? rules : (p.Rules ?? ''),
      };
    }
    let updated: Policy;
    try {
      updated = await put<Policy>(client, `/acl/policy/${encodeURIComponent(id)}`, body);
    } catch (err) {
      ui.error(`Error updating policy ${JSON.stringify(id)}: ${errText(err)}`);
      return 1;
    }
    return printAs(ui, f.string('format'), () => policyLines(updated, meta(f)), () => policyJson(updated));
  },
};

export const aclRoleRead: Command = {
  synopsis: 'Read an ACL role',
  help: `Usage: proconsul acl role read [options] ROLE

  This command will retrieve and print out the details
  of a single role.

  Read:

      $ proconsul acl role read -id fdabbcb5-9de5-4b1a-961f-77214ae88cba

  Read by name:

      $ proconsul acl role read -name my-policy`,
  flags: () =>
    new FlagSet([
      metaFlag('role'),
      { name: 'id', kind: 'string', usage: 'The ID of the role to read. It may be specified as a unique ID prefix but will error if the prefix matches multiple policy IDs' },
      { name: 'name', kind: 'string', usage: 'The name of the role to read.' },
      formatFlag(),
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const [given, name] = [f.string('id'), f.string('name')];
    if (given === '' && name === '') {
      ui.error('Must specify either the -id or -name parameters');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    let r: Role | undefined;
    if (given !== '') {
      let id: string;
      try {
        id = await idFromPartial(client, given, 'role');
      } catch (err) {
        ui.error(`Error determining role ID: ${errText(err)}`);
        return 1;
      }
      r = await readOrReport<Role>(client, ui, `/acl/role/${encodeURIComponent(id)}`, `Error reading role ${JSON.stringify(id)}`, `Role not found with ID ${JSON.stringify(id)}`);
      if (!r) return 1;
    } else {
      r = await readOrReport<Role>(client, ui, `/acl/role/name/${encodeURIComponent(name)}`, `Error reading role ${JSON.stringify(name)}`, `Role not found with name ${JSON.stringify(name)}`);
      if (!r) return 1;
    }
    const role = r;
    return printAs(ui, f.string('format'), () => roleLines(role, meta(f)), () => roleJson(role));
  },
};

export const aclRoleUpdate: Command = {
  synopsis: 'Update an ACL role',
  help: `Usage: proconsul acl role update [options]

  Updates a role. By default it will merge the role information with its
  current state so that you do not have to provide all parameters. This
  behavior can be disabled by passing -no-merge.

  Rename the role:

      $ proconsul acl role update -id abcd -name "better-name"

  Update all editable fields of the role:

      $ proconsul acl role update -id abcd \\
                                  -name "better-name" \\
                                  -description "replication" \\
                                  -policy-name "token-replication" \\
                                  -service-identity "web"`,
  flags: () =>
    new FlagSet([
      metaFlag('role'),
      { name: 'id', kind: 'string', usage: 'The ID of the role to update. It may be specified as a unique ID prefix but will error if the prefix matches multiple role IDs' },
      { name: 'name', kind: 'string', usage: 'The role name.' },
      { name: 'description', kind: 'string', usage: 'A description of the role' },
      list('policy-id', 'ID of a policy to use for this role. May be specified multiple times'),
      list('policy-name', 'Name of a policy to use for this role. May be specified multiple times'),
      list('service-identity', 'Name of a service identity to use for this role. May be specified multiple times. Format is the SERVICENAME or SERVICENAME:DATACENTER1,DATACENTER2,...'),
      list('node-identity', 'Name of a node identity to use for this role. May be specified multiple times. Format is NODENAME:DATACENTER'),
      ...templatedUpdateFlags('role'),
      { name: 'no-merge', kind: 'bool', usage: 'Do not merge the current role information with what is provided to the command. Instead overwrite all fields with the exception of the role ID which is immutable.' },
      formatFlag(),
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    if (f.string('id') === '') {
      ui.error('Cannot update a role without specifying the -id parameter');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    let id: string;
    try {
      id = await idFromPartial(client, f.string('id'), 'role');
    } catch (err) {
      ui.error(`Error determining role ID: ${errText(err)}`);
      return 1;
    }
    let services: ServiceIdentity[];
    let nodes: NodeIdentity[];
    try {
      services = serviceIdentities(f.list('service-identity'));
      nodes = nodeIdentities(f.list('node-identity'));
    } catch (err) {
      ui.error(errText(err));
      return 1;
    }
    const tpl = await templatedUpdate(f, ui);
    if (!tpl) return 1;
    // Read in both modes, to fail clearly on a missing role.
    const current = await readOrReport<Role>(client, ui, `/acl/role/${encodeURIComponent(id)}`, 'Error when retrieving current role', `Role not found with ID ${JSON.stringify(id)}`);
    if (!current) return 1;
    const noMerge = f.set.has('no-merge') && f.bool('no-merge');
    const name = f.string('name');
    const description = f.string('description');
    const policies: LinkRef[] = noMerge ? [] : [...(current.Policies ?? [])];
    for (const n of f.list('policy-name')) if (noMerge || !policies.some((l) => l.Name === n)) policies.push({ Name: n });
    for (const raw of f.list('policy-id')) {
      let pid: string;
      try {
        pid = await policyIdFromPartial(client, raw);
      } catch (err) {
        ui.error(`Error resolving policy ID ${raw}: ${errText(err)}`);
        return 1;
      }
      if (noMerge || !policies.some((l) => l.ID === pid)) policies.push({ ID: pid });
    }
    // Without -no-merge, -replace-templated-policy* replace the role's templated policies and -append-* add to them.
    const templated = noMerge || tpl.replace ? tpl.list : [...(current.TemplatedPolicies ?? []).map(apiTemplated), ...tpl.list];
    const body = noMerge
      ? { ID: id, Name: name, Description: description, Policies: policies, ServiceIdentities: services, NodeIdentities: nodes, TemplatedPolicies: templated.length ? templated : undefined }
      : {
          ...current,
          Name: name !== '' ? name : current.Name,
          Description: description !== '' ? description : current.Description,
          Policies: policies,
          ServiceIdentities: mergeServiceIdentities(current.ServiceIdentities ?? [], services),
          NodeIdentities: mergeNodeIdentities(current.NodeIdentities ?? [], nodes),
          TemplatedPolicies: templated.length ? templated : undefined,
        };
    let updated: Role;
    try {
      updated = await put<Role>(client, `/acl/role/${encodeURIComponent(id)}`, body);
    } catch (err) {
      ui.error(`Error updating role ${JSON.stringify(id)}: ${errText(err)}`);
      return 1;
    }
    return printAs(ui, f.string('format'), () => roleLines(updated, meta(f)), () => roleJson(updated));
  },
};
