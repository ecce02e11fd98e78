/**
 * `proconsul acl binding-rule create|list|read|update|delete`: Consul 1.17's
 * command/acl/bindingrule/* over /v1/acl/binding-rule(s), with its flags, texts, formatter and
 * partial-ID lookup (acl.GetBindingRuleIDFromPartial).
 */
import type { Consul } from '@proconsul/api';
import { helpText, type Command } from '../command.js';
import { FlagSet, type FlagDef, type ParsedFlags } from '../flags.js';
import type { Ui } from '../io.js';
import { apiClient, clientAndServerFlags, dcParams, errText } from '../http-flags.js';
import { bindingRuleJson, bindingRuleLines, bindingRuleListJson, bindingRuleListLines, type BindingRule } from './acl-auth-format.js';
import { formatFlag, printAs, requestAndPrint } from './acl-format.js';
import { idFromPartial, readOrReport } from './acl-update.js';

const metaFlag = (): FlagDef => ({ name: 'meta', kind: 'bool', usage: 'Indicates that binding rule metadata such as the raft indices should be shown for each entry.' });

const ID_USAGE = (verb: string): string =>
  `The ID of the binding rule to ${verb}. It may be specified as a unique ID prefix but will error if the prefix matches multiple binding rule IDs`;

/** -description, -selector, -bind-type (default "service") and -bind-name of create and update. */
const ruleFlags = (): FlagDef[] => [
  { name: 'description', kind: 'string', usage: 'A description of the binding rule.' },
  { name: 'selector', kind: 'string', usage: 'Selector is an expression that matches against verified identity attributes returned from the auth method during login.' },
  { name: 'bind-type', kind: 'string', default: 'service', usage: 'Type of binding to perform ("service" or "role").' },
  { name: 'bind-name', kind: 'string', usage: 'Name to bind on match. Can use ${var} interpolation. This flag is required.' },
];

const showMeta = (f: ParsedFlags): boolean => f.set.has('meta') && f.bool('meta');

const rulePath = (id: string): string => `/acl/binding-rule/${encodeURIComponent(id)}`;

/** api.ACLBindingRule as the Go client sends it. */
const body = (r: Omit<BindingRule, 'ID'> & { ID?: string }): Record<string, unknown> => ({
  ID: r.ID ?? '',
  Description: r.Description,
  AuthMethod: r.AuthMethod,
  Selector: r.Selector,
  BindType: r.BindType,
  BindName: r.BindName,
  ...(r.BindVars ? { BindVars: r.BindVars } : {}),
  CreateIndex: r.CreateIndex ?? 0,
  ModifyIndex: r.ModifyIndex ?? 0,
});

/** "Missing required '-bind-type' flag" / "-bind-name", then the help, as create and update -no-merge print them. */
function missingBind(f: ParsedFlags, ui: Ui, cmd: Command): boolean {
  const missing = f.string('bind-type') === '' ? 'bind-type' : f.string('bind-name') === '' ? 'bind-name' : undefined;
  if (!missing) return false;
  ui.error(`Missing required '-${missing}' flag`);
  ui.error(helpText(cmd));
  return true;
}

/**
 * The client and the full rule ID for -id (a unique prefix allowed); undefined after the error,
 * `missing` when no -id is given.
 */
async function ruleId(f: ParsedFlags, ui: Ui, missing: string): Promise<{ client: Consul; id: string } | undefined> {
  if (f.string('id') === '') {
    ui.error(missing);
    return undefined;
  }
  const client = apiClient(f, ui);
  if (!client) return undefined;
  try {
    return { client, id: await idFromPartial(client, f.string('id'), 'binding-rule') };
  } catch (err) {
    ui.error(`Error determining binding rule ID: ${errText(err)}`);
    return undefined;
  }
}

export const aclBindingRuleCreate: Command = {
  synopsis: 'Create an ACL binding rule',
  help: `Usage: proconsul acl binding-rule create [options]

  Create a new binding rule:

    $ proconsul acl binding-rule create \\
          -method=minikube \\
          -bind-type=service \\
          -bind-name='k8s-\${serviceaccount.name}' \\
          -selector='serviceaccount.namespace==default and serviceaccount.name==web'`,
  flags: () =>
    new FlagSet([
      metaFlag(),
      { name: 'method', kind: 'string', usage: "The auth method's name for which this binding rule applies. This flag is required." },
      ...ruleFlags(),
      formatFlag(),
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    if (f.string('method') === '') {
      ui.error("Missing required '-method' flag");
      ui.error(helpText(aclBindingRuleCreate));
      return 1;
    }
    if (missingBind(f, ui, aclBindingRuleCreate)) return 1;
    const client = apiClient(f, ui);
    if (!client) return 1;
    const rq = body({ Description: f.string('description'), AuthMethod: f.string('method'), BindType: f.string('bind-type'), BindName: f.string('bind-name'), Selector: f.string('selector') });
    const request = async () => (await client.http.json<BindingRule>({ method: 'PUT', path: '/acl/binding-rule', params: dcParams(client), body: rq })).data;
    return requestAndPrint(ui, f.string('format'), 'Failed to create new binding rule', request, (x) => bindingRuleLines(x, showMeta(f)), bindingRuleJson);
  },
};

export const aclBindingRuleList: Command = {
  synopsis: 'Lists ACL binding rules',
  help: `Usage: proconsul acl binding-rule list [options]

  Lists all the ACL binding rules.

  Show all:

    $ proconsul acl binding-rule list

  Show all for a specific auth method:

    $ proconsul acl binding-rule list -method="my-method"`,
  flags: () =>
    new FlagSet([metaFlag(), { name: 'method', kind: 'string', usage: 'Only show rules linked to the auth method with the given name.' }, formatFlag()]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    const method = f.string('method');
    const params: Array<[string, string]> = [...(method !== '' ? [['authmethod', method] as [string, string]] : []), ...dcParams(client)];
    const request = async () => (await client.http.json<BindingRule[] | null>({ method: 'GET', path: '/acl/binding-rules', params })).data;
    return requestAndPrint(ui, f.string('format'), 'Failed to retrieve the binding rule list', request, (x) => bindingRuleListLines(x, showMeta(f)), bindingRuleListJson);
  },
};

export const aclBindingRuleRead: Command = {
  synopsis: 'Read an ACL binding rule',
  help: `Usage: proconsul acl binding-rule read -id ID [options]

  This command will retrieve and print out the details of a single binding
  rule.

  Read a binding rule:

    $ proconsul acl binding-rule read -id fdabbcb5-9de5-4b1a-961f-77214ae88cba`,
  flags: () => new FlagSet([metaFlag(), { name: 'id', kind: 'string', usage: ID_USAGE('read') }, formatFlag()]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const found = await ruleId(f, ui, 'Must specify the -id parameter.');
    if (!found) return 1;
    const rule = await readOrReport<BindingRule>(found.client, ui, rulePath(found.id), `Error reading binding rule ${JSON.stringify(found.id)}`, `Binding rule not found with ID ${JSON.stringify(found.id)}`);
    if (!rule) return 1;
    return printAs(ui, f.string('format'), () => bindingRuleLines(rule, showMeta(f)), () => bindingRuleJson(rule));
  },
};

export const aclBindingRuleUpdate: Command = {
  synopsis: 'Update an ACL binding rule',
  help: `Usage: proconsul acl binding-rule update -id ID [options]

  Updates a binding rule. By default it will merge the binding rule
  information with its current state so that you do not have to provide all
  parameters. This behavior can be disabled by passing -no-merge.

  Update all editable fields of the binding rule:

    $ proconsul acl binding-rule update \\
          -id=43cb72df-9c6f-4315-ac8a-01a9d98155ef \\
          -description="new description" \\
          -bind-type=role \\
          -bind-name='k8s-\${serviceaccount.name}' \\
          -selector='serviceaccount.namespace==default and serviceaccount.name==web'`,
  flags: () =>
    new FlagSet([
      metaFlag(),
      { name: 'id', kind: 'string', usage: ID_USAGE('update') },
      ...ruleFlags(),
      {
        name: 'no-merge',
        kind: 'bool',
        usage: 'Do not merge the current binding rule information with what is provided to the command. Instead overwrite all fields with the exception of the binding rule ID which is immutable.',
      },
      formatFlag(),
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const found = await ruleId(f, ui, 'Cannot update a binding rule without specifying the -id parameter');
    if (!found) return 1;
    const { client, id } = found;
    // Read in both modes, to fail clearly on a missing rule.
    const current = await readOrReport<BindingRule>(client, ui, rulePath(id), 'Error when retrieving current binding rule', `Binding rule not found with ID ${JSON.stringify(id)}`);
    if (!current) return 1;
    let rule: BindingRule;
    if (f.set.has('no-merge') && f.bool('no-merge')) {
      if (missingBind(f, ui, aclBindingRuleUpdate)) return 1;
      rule = { ID: id, AuthMethod: current.AuthMethod, Description: f.string('description'), BindType: f.string('bind-type'), BindName: f.string('bind-name'), Selector: f.string('selector') };
    } else {
      // As in Consul, -bind-type's default ("service") applies also when the flag is not given.
      rule = {
        ...current,
        Description: f.string('description') || current.Description,
        BindType: f.string('bind-type') || current.BindType,
        BindName: f.string('bind-name') || current.BindName,
        // An empty selector given is kept: it matches every identity.
        Selector: f.set.has('selector') ? f.string('selector') : current.Selector,
      };
    }
    const request = async () => (await client.http.json<BindingRule>({ method: 'PUT', path: rulePath(id), params: dcParams(client), body: body(rule) })).data;
    return requestAndPrint(ui, f.string('format'), `Error updating binding rule ${JSON.stringify(id)}`, request, (x) => bindingRuleLines(x, showMeta(f)), bindingRuleJson);
  },
};

export const aclBindingRuleDelete: Command = {
  synopsis: 'Delete an ACL binding rule',
  help: `Usage: proconsul acl binding-rule delete -id ID [options]

  Deletes an ACL binding rule by providing the ID or a unique ID prefix.

  Delete by prefix:

    $ proconsul acl binding-rule delete -id b6b85

  Delete by full ID:

    $ proconsul acl binding-rule delete -id b6b856da-5193-4e78-845a-7d61ca8371ba`,
  flags: () => new FlagSet([{ name: 'id', kind: 'string', usage: ID_USAGE('delete') }]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const found = await ruleId(f, ui, 'Must specify the -id parameter');
    if (!found) return 1;
    try {
      await found.client.http.request({ method: 'DELETE', path: rulePath(found.id), params: dcParams(found.client) });
    } catch (err) {
      ui.error(`Error deleting binding rule ${JSON.stringify(found.id)}: ${errText(err)}`);
      return 1;
    }
    ui.output(`Binding rule ${JSON.stringify(found.id)} deleted successfully`);
    return 0;
  },
};
