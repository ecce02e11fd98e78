/**
 * `proconsul acl bootstrap | policy create | token create | token read`: the ACL system over
 * /v1/acl/*, with Consul's output (the token and policy "pretty" formats).
 */
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientAndServerFlags, dcParams, errText } from '../http-flags.js';
import { printToken, type Token } from './acl-format.js';
import { extractTemplatedPolicies, templatedCreateFlags } from './acl-templated.js';

export const aclBootstrap: Command = {
  synopsis: 'Bootstrap Consul\'s ACL system',
  help: `Usage: proconsul acl bootstrap [options]

  The bootstrap command will request Consul to generate a new token with unlimited privileges
  to use for management purposes and output its details. This can only be done once and
  afterwards bootstrapping will be disabled.`,
  flags: () => clientAndServerFlags(),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      const r = await client.http.json<Token>({ method: 'PUT', path: '/acl/bootstrap', params: dcParams(client) });
      printToken(ui, r.data);
    } catch (err) {
      ui.error(`Failed ACL bootstrapping: ${errText(err)}`);
      return 1;
    }
    return 0;
  },
};

export const aclPolicyCreate: Command = {
  synopsis: 'Create an ACL policy',
  help: `Usage: proconsul acl policy create -name NAME [-description DESC] -rules RULES

  Creates a new policy; -rules takes the rules (HCL or JSON), or @FILE to read them from a file.`,
  flags: () =>
    new FlagSet([
      { name: 'name', kind: 'string', usage: 'The new policy\'s name. This flag is required.' },
      { name: 'description', kind: 'string', usage: 'A description of the policy.' },
      { name: 'rules', kind: 'string', usage: 'The policy rules. May be prefixed with \'@\' to indicate that the value is a file path to load the rules from.' },
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const name = f.string('name');
    if (name === '') {
      ui.error('Missing required \'-name\' flag');
      return 1;
    }
    let rules = f.string('rules');
    if (rules.startsWith('@')) {
      try {
        const { readFileSync } = await import('node:fs');
        rules = readFileSync(rules.slice(1), 'utf8');
      } catch (err) {
        ui.error(`Error loading rules: ${errText(err)}`);
        return 1;
      }
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      const r = await client.http.json<{ ID: string; Name: string; Description: string; Rules: string }>({
        method: 'PUT',
        path: '/acl/policy',
        params: dcParams(client),
        body: { Name: name, Description: f.string('description'), Rules: rules },
      });
      ui.output(`ID:           ${r.data.ID}`);
      ui.output(`Name:         ${r.data.Name}`);
      ui.output(`Description:  ${r.data.Description}`);
      ui.output('Rules:');
      ui.output(r.data.Rules);
    } catch (err) {
      ui.error(`Failed to create new policy: ${errText(err)}`);
      return 1;
    }
    return 0;
  },
};

export const aclTokenCreate: Command = {
  synopsis: 'Create an ACL token',
  help: `Usage: proconsul acl token create [options]

  Creates a new token linked to the given policies (-policy-name, -policy-id, repeatable),
  roles (-role-name), service identities (-service-identity NAME), node identities
  (-node-identity NAME:DC) and templated policies (-templated-policy NAME with -var
  VARIABLE:VALUE, or -templated-policy-file FILE).

  Create a token for the service api:

      $ proconsul acl token create -templated-policy builtin/service -var name:api`,
  flags: () =>
    new FlagSet([
      { name: 'description', kind: 'string', usage: 'A description of the token.' },
      { name: 'policy-name', kind: 'list', usage: 'Name of a policy to use for this token. May be specified multiple times.' },
      { name: 'policy-id', kind: 'list', usage: 'ID of a policy to use for this token. May be specified multiple times.' },
      { name: 'role-name', kind: 'list', usage: 'Name of a role to use for this token. May be specified multiple times.' },
      { name: 'service-identity', kind: 'list', usage: 'Name of a service identity to use for this token. May be specified multiple times.' },
      { name: 'node-identity', kind: 'list', usage: 'Name of a node identity to use for this token, as NAME:DATACENTER. May be specified multiple times.' },
      { name: 'local', kind: 'bool', usage: 'Create this as a datacenter local token.' },
      ...templatedCreateFlags(),
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const nodeIds = [];
    for (const n of f.list('node-identity')) {
      const [name, dc] = n.split(':');
      if (!name || !dc) {
        ui.error(`Malformed -node-identity argument: "${n}"`);
        return 1;
      }
      nodeIds.push({ NodeName: name, Datacenter: dc });
    }
    let templated;
    try {
      templated = await extractTemplatedPolicies(f.string('templated-policy'), f.string('templated-policy-file'), f.list('var'));
    } catch (err) {
      ui.error(errText(err));
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      const r = await client.http.json<Token>({
        method: 'PUT',
        path: '/acl/token',
        params: dcParams(client),
        body: {
          Description: f.string('description'),
          Policies: [...f.list('policy-name').map((Name) => ({ Name })), ...f.list('policy-id').map((ID) => ({ ID }))],
          Roles: f.list('role-name').map((Name) => ({ Name })),
          ServiceIdentities: f.list('service-identity').map((ServiceName) => ({ ServiceName })),
          NodeIdentities: nodeIds,
          ...(templated.length ? { TemplatedPolicies: templated } : {}),
          Local: f.set.has('local') && f.bool('local'),
        },
      });
      printToken(ui, r.data);
    } catch (err) {
      ui.error(`Failed to create new token: ${errText(err)}`);
      return 1;
    }
    return 0;
  },
};

export const aclTokenReadSelf: Command = {
  synopsis: 'Read an ACL token',
  help: `Usage: proconsul acl token read -self | -id ACCESSOR_ID

  Shows a token: the one in use with -self, else the one with the given AccessorID.`,
  flags: () =>
    new FlagSet([
      { name: 'self', kind: 'bool', usage: 'Indicates that the current HTTP token should be read.' },
      { name: 'id', kind: 'string', usage: 'The Accessor ID of the token to read.' },
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const self = f.set.has('self') && f.bool('self');
    const id = f.string('id');
    if (!self && id === '') {
      ui.error('Must specify the -id parameter');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      const r = await client.http.json<Token>({ method: 'GET', path: self ? '/acl/token/self' : `/acl/token/${encodeURIComponent(id)}`, params: dcParams(client) });
      printToken(ui, r.data);
    } catch (err) {
      ui.error(`Error reading token: ${errText(err)}`);
      return 1;
    }
    return 0;
  },
};
