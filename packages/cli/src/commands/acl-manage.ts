/**
 * `proconsul acl policy list|read|delete`, `acl token list|delete`, `acl role create|list|delete`
 * and `acl set-agent-token`: thin calls of /v1/acl/* and /v1/agent/token with Consul's output.
 */
import type { RequestSpec } from '@proconsul/api';
import type { Command } from '../command.js';
import { FlagSet, type ParsedFlags } from '../flags.js';
import type { Ui } from '../io.js';
import { apiClient, clientAndServerFlags, clientFlags, dcParams, errText } from '../http-flags.js';
import { printPolicy, printRole, printToken, type Policy, type Role, type TemplatedPolicy, type Token } from './acl-format.js';
import { extractTemplatedPolicies, templatedCreateFlags } from './acl-templated.js';

/** One API call; on failure `<failure>: <error>` on stderr and exit 1. */
async function call<T>(f: ParsedFlags, ui: Ui, failure: string, spec: RequestSpec, print: (data: T) => void): Promise<number> {
  const client = apiClient(f, ui);
  if (!client) return 1;
  try {
    const r = await client.http.json<T>({ ...spec, params: [...(spec.params ?? []), ...dcParams(client)] });
    print(r.data);
    return 0;
  } catch (err) {
    ui.error(`${failure}: ${errText(err)}`);
    return 1;
  }
}

const idOrName = (what: string): FlagSet =>
  new FlagSet([
    { name: 'id', kind: 'string', usage: `The ID of the ${what}.` },
    { name: 'name', kind: 'string', usage: `The name of the ${what}.` },
  ]).merge(clientAndServerFlags());

/** The policy path for -id or -name; undefined (after the error) when neither is given. */
function policyPath(f: ParsedFlags, ui: Ui, verb: string): string | undefined {
  const id = f.string('id');
  const name = f.string('name');
  if (id !== '') return `/acl/policy/${encodeURIComponent(id)}`;
  if (name !== '') return `/acl/policy/name/${encodeURIComponent(name)}`;
  ui.error(`Must specify either the -id or -name parameters to ${verb}`);
  return undefined;
}

export const aclPolicyList: Command = {
  synopsis: 'Lists ACL policies',
  help: 'Usage: proconsul acl policy list [options]\n\n  Lists all the ACL policies.',
  flags: () => clientAndServerFlags(),
  run: (f, ui) =>
    call<Policy[]>(f, ui, 'Failed to retrieve the policy list', { method: 'GET', path: '/acl/policies' }, (ps) => {
      for (const p of ps) {
        ui.output(`${p.Name}:`);
        ui.output(`   ID:           ${p.ID}`);
        ui.output(`   Description:  ${p.Description}`);
        ui.output(`   Datacenters:  ${(p.Datacenters ?? []).join(', ')}`);
      }
    }),
};

export const aclPolicyRead: Command = {
  synopsis: 'Read an ACL policy',
  help: 'Usage: proconsul acl policy read -id ID | -name NAME [options]\n\n  Shows a policy and its rules.',
  flags: () => idOrName('policy'),
  async run(f, ui) {
    const path = policyPath(f, ui, 'read');
    if (!path) return 1;
    return call<Policy>(f, ui, 'Error reading policy', { method: 'GET', path }, (p) => printPolicy(ui, p));
  },
};

export const aclPolicyDelete: Command = {
  synopsis: 'Delete an ACL policy',
  help: 'Usage: proconsul acl policy delete -id ID | -name NAME [options]\n\n  Deletes a policy.',
  flags: () => idOrName('policy'),
  async run(f, ui) {
    const path = policyPath(f, ui, 'delete');
    if (!path) return 1;
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      const p = (await client.http.json<Policy>({ method: 'GET', path, params: dcParams(client) })).data;
      await client.http.request({ method: 'DELETE', path: `/acl/policy/${encodeURIComponent(p.ID)}`, params: dcParams(client) });
      ui.output(`Policy "${p.ID}" deleted successfully`);
      return 0;
    } catch (err) {
      ui.error(`Error deleting policy: ${errText(err)}`);
      return 1;
    }
  },
};

export const aclTokenList: Command = {
  synopsis: 'List ACL tokens',
  help: 'Usage: proconsul acl token list [options]\n\n  Lists all the ACL tokens.',
  flags: () => clientAndServerFlags(),
  run: (f, ui) =>
    call<Token[]>(f, ui, 'Failed to retrieve the token list', { method: 'GET', path: '/acl/tokens' }, (ts) => {
      ts.forEach((t, i) => {
        if (i > 0) ui.output('');
        printToken(ui, t);
      });
    }),
};

export const aclTokenDelete: Command = {
  synopsis: 'Delete an ACL token',
  help: 'Usage: proconsul acl token delete -id ACCESSOR_ID [options]\n\n  Deletes a token.',
  flags: () => new FlagSet([{ name: 'id', kind: 'string', usage: 'The Accessor ID of the token to delete.' }]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const id = f.string('id');
    if (id === '') {
      ui.error('Must specify the -id parameter');
      return 1;
    }
    return call<boolean>(f, ui, 'Error deleting token', { method: 'DELETE', path: `/acl/token/${encodeURIComponent(id)}` }, () => ui.output(`Token "${id}" deleted successfully`));
  },
};

export const aclRoleCreate: Command = {
  synopsis: 'Create an ACL role',
  help: `Usage: proconsul acl role create -name NAME [-description DESC] [-policy-name NAME ...] [options]

  Creates a role, linked to policies, service identities and templated policies
  (-templated-policy NAME with -var VARIABLE:VALUE, or -templated-policy-file FILE).

      $ proconsul acl role create -name api -templated-policy builtin/service -var name:api`,
  flags: () =>
    new FlagSet([
      { name: 'name', kind: 'string', usage: 'The new role\'s name. This flag is required.' },
      { name: 'description', kind: 'string', usage: 'A description of the role.' },
      { name: 'policy-name', kind: 'list', usage: 'Name of a policy to use for this role. May be specified multiple times.' },
      { name: 'policy-id', kind: 'list', usage: 'ID of a policy to use for this role. May be specified multiple times.' },
      { name: 'service-identity', kind: 'list', usage: 'Name of a service identity to use for this role. May be specified multiple times.' },
      ...templatedCreateFlags(),
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    if (f.string('name') === '') {
      ui.error('Missing required \'-name\' flag');
      return 1;
    }
    let templated: TemplatedPolicy[];
    try {
      templated = await extractTemplatedPolicies(f.string('templated-policy'), f.string('templated-policy-file'), f.list('var'));
    } catch (err) {
      ui.error(errText(err));
      return 1;
    }
    const body = {
      Name: f.string('name'),
      Description: f.string('description'),
      Policies: [...f.list('policy-name').map((Name) => ({ Name })), ...f.list('policy-id').map((ID) => ({ ID }))],
      ServiceIdentities: f.list('service-identity').map((ServiceName) => ({ ServiceName })),
      ...(templated.length ? { TemplatedPolicies: templated } : {}),
    };
    return call<Role>(f, ui, 'Failed to create new role', { method: 'PUT', path: '/acl/role', body }, (r) => printRole(ui, r));
  },
};

export const aclRoleList: Command = {
  synopsis: 'Lists ACL roles',
  help: 'Usage: proconsul acl role list [options]\n\n  Lists all the ACL roles.',
  flags: () => clientAndServerFlags(),
  run: (f, ui) =>
    call<Role[]>(f, ui, 'Failed to retrieve the role list', { method: 'GET', path: '/acl/roles' }, (rs) => {
      rs.forEach((r, i) => {
        if (i > 0) ui.output('');
        printRole(ui, r);
      });
    }),
};

export const aclRoleDelete: Command = {
  synopsis: 'Delete an ACL role',
  help: 'Usage: proconsul acl role delete -id ID [options]\n\n  Deletes a role.',
  flags: () => new FlagSet([{ name: 'id', kind: 'string', usage: 'The ID of the role to delete.' }]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const id = f.string('id');
    if (id === '') {
      ui.error('Must specify the -id parameter');
      return 1;
    }
    return call<boolean>(f, ui, 'Error deleting role', { method: 'DELETE', path: `/acl/role/${encodeURIComponent(id)}` }, () => ui.output(`Role "${id}" deleted successfully`));
  },
};

export const aclSetAgentToken: Command = {
  synopsis: 'Assign tokens for the Consul Agent\'s usage',
  help: 'Usage: proconsul acl set-agent-token [options] TYPE TOKEN\n\n  TYPE is default, agent, agent_recovery or dns.',
  flags: () => clientFlags(),
  async run(f, ui) {
    if (f.args.length !== 2) {
      ui.error('Missing TYPE and TOKEN arguments');
      return 1;
    }
    const [type, token] = f.args as [string, string];
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      await client.http.request({ method: 'PUT', path: `/agent/token/${encodeURIComponent(type)}`, body: { Token: token } });
      ui.output('ACL token set successfully');
      return 0;
    } catch (err) {
      ui.error(`Failed to set ACL token: ${errText(err)}`);
      return 1;
    }
  },
};
