/**
 * `proconsul acl auth-method create|list|read|update|delete`: Consul 1.17's
 * command/acl/authmethod/* over /v1/acl/auth-method(s), with its flags, texts and formatter.
 */
import { parseDuration, type Consul } from '@proconsul/api';
import { helpText, type Command } from '../command.js';
import { FlagSet, type FlagDef, type ParsedFlags } from '../flags.js';
import type { Ui } from '../io.js';
import { apiClient, clientAndServerFlags, dcParams, errText } from '../http-flags.js';
import { authMethodJson, authMethodLines, authMethodListJson, authMethodListLines, type AuthMethod, type AuthMethodListEntry } from './acl-auth-format.js';
import { formatFlag, printAs, requestAndPrint } from './acl-format.js';
import { readOrReport } from './acl-update.js';
import { readDataArg } from './kv-data.js';

export const AUTH_METHOD_META_USAGE = 'Indicates that auth method metadata such as the raft indices should be shown for each entry.';

const metaFlag = (): FlagDef => ({ name: 'meta', kind: 'bool', usage: AUTH_METHOD_META_USAGE });

const K8S_HOST_USAGE = 'Address of the Kubernetes API server. This flag is required for type=kubernetes.';
const K8S_CA_USAGE =
  "PEM encoded CA cert for use by the TLS client used to talk with the Kubernetes API. May be prefixed with '@' to indicate that the value is a file path to load the cert from. This flag is required for type=kubernetes.";
const K8S_JWT_USAGE = 'A Kubernetes service account JWT used to access the TokenReview API to validate other JWTs during login. This flag is required for type=kubernetes.';

/** The flags create and update share (Go's DurationVar for -max-token-ttl is checked in run()). */
const commonFlags = (): FlagDef[] => [
  { name: 'display-name', kind: 'string', usage: 'An optional name to use instead of the name when displaying this auth method in a UI.' },
  { name: 'description', kind: 'string', usage: 'A description of the auth method.' },
  { name: 'max-token-ttl', kind: 'string', usage: 'Duration of time all tokens created by this auth method should be valid for' },
  {
    name: 'token-locality',
    kind: 'string',
    usage: "Defines the kind of token that this auth method should produce. This can be either 'local' or 'global'. If empty the value of 'local' is assumed.",
  },
  { name: 'kubernetes-host', kind: 'string', usage: K8S_HOST_USAGE },
  { name: 'kubernetes-ca-cert', kind: 'string', usage: K8S_CA_USAGE },
  { name: 'kubernetes-service-account-jwt', kind: 'string', usage: K8S_JWT_USAGE },
  formatFlag(),
];

const showMeta = (f: ParsedFlags): boolean => f.set.has('meta') && f.bool('meta');

/** Go's flag error for -max-token-ttl when it is no Go duration; undefined when fine. */
export function maxTokenTtlError(f: ParsedFlags): string | undefined {
  if (!f.set.has('max-token-ttl')) return undefined;
  const v = f.string('max-token-ttl');
  try {
    parseDuration(v);
    return undefined;
  } catch {
    return `invalid value ${JSON.stringify(v)} for flag -max-token-ttl: parse error`;
  }
}

/** Prints Go's flag error for a bad -max-token-ttl; whether there was one. */
function badTtl(f: ParsedFlags, ui: Ui): boolean {
  const e = maxTokenTtlError(f);
  if (e) ui.error(e);
  return e !== undefined;
}

/** The TTL to send: only a positive one (`if c.maxTokenTTL > 0`). */
function maxTokenTtl(f: ParsedFlags): string | undefined {
  const v = f.string('max-token-ttl');
  return v !== '' && parseDuration(v) > 0 ? v : undefined;
}

/**
 * The -config JSON as Go's json.Unmarshal into a map[string]interface{} takes it: an object, or
 * null for none; anything else is Go's type error. Throws with the message after Consul's prefix.
 */
export function parseAuthMethodConfig(text: string): Record<string, unknown> | null {
  const v: unknown = JSON.parse(text);
  if (v === null) return null;
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  const kind = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
  throw new Error(`json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
}

/** -config loaded (literal, @file or - for stdin) and parsed; undefined after printing the error. */
async function loadConfig(f: ParsedFlags, ui: Ui, parseError: string): Promise<{ config: Record<string, unknown> | null } | undefined> {
  let text: string;
  try {
    text = new TextDecoder().decode(await readDataArg(f.string('config'), ui.io));
  } catch (err) {
    ui.error(`Error loading configuration file: ${errText(err)}`);
    return undefined;
  }
  try {
    return { config: parseAuthMethodConfig(text) };
  } catch (err) {
    ui.error(`${parseError}: ${errText(err)}`);
    return undefined;
  }
}

const k8sFlagsGiven = (f: ParsedFlags): boolean => ['kubernetes-host', 'kubernetes-ca-cert', 'kubernetes-service-account-jwt'].some((n) => f.string(n) !== '');

/** The first of the three kubernetes flags that is empty, as Consul checks them. */
function missingK8sFlag(f: ParsedFlags): string | undefined {
  return ['kubernetes-host', 'kubernetes-ca-cert', 'kubernetes-service-account-jwt'].find((n) => f.string(n) === '');
}

/** -kubernetes-ca-cert through LoadDataSource; undefined after printing the error. */
async function loadCaCert(f: ParsedFlags, ui: Ui): Promise<string | undefined> {
  let cert: string;
  try {
    cert = new TextDecoder().decode(await readDataArg(f.string('kubernetes-ca-cert'), ui.io));
  } catch (err) {
    ui.error(`Invalid '-kubernetes-ca-cert' value: ${errText(err)}`);
    return undefined;
  }
  if (cert === '') {
    ui.error('Kubernetes CA Cert is empty');
    return undefined;
  }
  return cert;
}

const k8sConfig = (f: ParsedFlags, caCert: string): Record<string, unknown> => ({
  Host: f.string('kubernetes-host'),
  CACert: caCert,
  ServiceAccountJWT: f.string('kubernetes-service-account-jwt'),
});

/** api.ACLAuthMethod as the Go client sends it (MarshalJSON: MaxTokenTTL first, omitempty). */
function body(m: AuthMethod): Record<string, unknown> {
  return {
    ...(m.MaxTokenTTL ? { MaxTokenTTL: m.MaxTokenTTL } : {}),
    Name: m.Name,
    Type: m.Type,
    ...(m.DisplayName ? { DisplayName: m.DisplayName } : {}),
    ...(m.Description ? { Description: m.Description } : {}),
    ...(m.TokenLocality ? { TokenLocality: m.TokenLocality } : {}),
    Config: m.Config ?? null,
  };
}

/** -name, required ("Must specify the -name parameter"), and the client; undefined after the error. */
function namedClient(f: ParsedFlags, ui: Ui): { client: Consul; name: string } | undefined {
  const name = f.string('name');
  if (name === '') {
    ui.error('Must specify the -name parameter');
    return undefined;
  }
  const client = apiClient(f, ui);
  return client ? { client, name } : undefined;
}

const methodPath = (name: string): string => `/acl/auth-method/${encodeURIComponent(name)}`;

async function send(client: Consul, method: 'PUT', path: string, m: AuthMethod): Promise<AuthMethod> {
  return (await client.http.json<AuthMethod>({ method, path, params: dcParams(client), body: body(m) })).data;
}

export const aclAuthMethodCreate: Command = {
  synopsis: 'Create an ACL auth method',
  help: `Usage: proconsul acl auth-method create -name NAME -type TYPE [options]

  Create a new auth method:

    $ proconsul acl auth-method create -type "kubernetes" \\
                            -name "my-k8s" \\
                            -description "This is an example kube method" \\
                            -kubernetes-host "https://apiserver.example.com:8443" \\
                            -kubernetes-ca-cert @/path/to/kube.ca.crt \\
                            -kubernetes-service-account-jwt "JWT_CONTENTS"`,
  flags: () =>
    new FlagSet([
      metaFlag(),
      { name: 'type', kind: 'string', usage: "The new auth method's type. This flag is required." },
      { name: 'name', kind: 'string', usage: "The new auth method's name. This flag is required." },
      ...commonFlags(),
      {
        name: 'config',
        kind: 'string',
        usage:
          "The configuration for the auth method. Must be JSON. May be prefixed with '@' to indicate that the value is a file path to load the config from. '-' may also be given to indicate that the config is available on stdin",
      },
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    if (badTtl(f, ui)) return 1;
    const [type, name] = [f.string('type'), f.string('name')];
    if (type === '' || name === '') {
      ui.error(`Missing required '-${type === '' ? 'type' : 'name'}' flag`);
      ui.error(helpText(aclAuthMethodCreate));
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const m: AuthMethod = {
      Name: name,
      Type: type,
      DisplayName: f.string('display-name'),
      Description: f.string('description'),
      TokenLocality: f.string('token-locality'),
      MaxTokenTTL: maxTokenTtl(f),
    };
    if (f.string('config') !== '') {
      if (k8sFlagsGiven(f)) {
        ui.error("Cannot use command line arguments with '-config' flags");
        return 1;
      }
      const loaded = await loadConfig(f, ui, 'Error parsing JSON configuration file');
      if (!loaded) return 1;
      m.Config = loaded.config;
    }
    if (type === 'kubernetes') {
      const missing = missingK8sFlag(f);
      if (missing) {
        ui.error(`Missing required '-${missing}' flag`);
        return 1;
      }
      const cert = await loadCaCert(f, ui);
      if (cert === undefined) return 1;
      m.Config = k8sConfig(f, cert);
    }
    const request = () => send(client, 'PUT', '/acl/auth-method', m);
    return requestAndPrint(ui, f.string('format'), 'Failed to create new auth method', request, (x) => authMethodLines(x, showMeta(f)), authMethodJson);
  },
};

export const aclAuthMethodList: Command = {
  synopsis: 'Lists ACL auth methods',
  help: `Usage: proconsul acl auth-method list [options]

  List all auth methods:

    $ proconsul acl auth-method list`,
  flags: () => new FlagSet([metaFlag(), formatFlag()]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    const request = async () => (await client.http.json<AuthMethodListEntry[] | null>({ method: 'GET', path: '/acl/auth-methods', params: dcParams(client) })).data;
    return requestAndPrint(ui, f.string('format'), 'Failed to retrieve the auth method list', request, (x) => authMethodListLines(x, showMeta(f)), authMethodListJson);
  },
};

export const aclAuthMethodRead: Command = {
  synopsis: 'Read an ACL auth method',
  help: `Usage: proconsul acl auth-method read -name NAME [options]

  Read an auth method:

    $ proconsul acl auth-method read -name my-auth-method`,
  flags: () =>
    new FlagSet([metaFlag(), { name: 'name', kind: 'string', usage: 'The name of the auth method to read.' }, formatFlag()]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const named = namedClient(f, ui);
    if (!named) return 1;
    const { client, name } = named;
    const m = await readOrReport<AuthMethod>(client, ui, methodPath(name), `Error reading auth method ${JSON.stringify(name)}`, `Auth method not found with name ${JSON.stringify(name)}`);
    if (!m) return 1;
    return printAs(ui, f.string('format'), () => authMethodLines(m, showMeta(f)), () => authMethodJson(m));
  },
};

/** The method to send after an update's flags; undefined after printing the error. */
async function updated(f: ParsedFlags, ui: Ui, current: AuthMethod): Promise<AuthMethod | undefined> {
  let caCert = '';
  if (f.string('kubernetes-ca-cert') !== '') {
    const cert = await loadCaCert(f, ui);
    if (cert === undefined) return undefined;
    caCert = cert;
  }
  const noMerge = f.set.has('no-merge') && f.bool('no-merge');
  const ttl = maxTokenTtl(f);
  const m: AuthMethod = noMerge
    ? { Name: current.Name, Type: current.Type, DisplayName: f.string('display-name'), Description: f.string('description'), TokenLocality: f.string('token-locality'), MaxTokenTTL: ttl }
    : {
        ...current,
        // Without -no-merge an empty flag keeps the current value.
        Description: f.string('description') || current.Description,
        DisplayName: f.string('display-name') || current.DisplayName,
        MaxTokenTTL: ttl ?? current.MaxTokenTTL,
        TokenLocality: f.string('token-locality') || current.TokenLocality,
      };
  if (f.string('config') !== '') {
    if (k8sFlagsGiven(f)) {
      ui.error("Cannot use command line arguments with '-config' flag");
      return undefined;
    }
    // The config given replaces the current one whole (no deep merge).
    const loaded = await loadConfig(f, ui, 'Error parsing JSON for auth method config');
    if (!loaded) return undefined;
    m.Config = noMerge ? loaded.config : (loaded.config ?? {});
  }
  if (noMerge) {
    if (current.Type === 'kubernetes') {
      const missing = missingK8sFlag(f);
      if (missing) {
        ui.error(`Missing required '-${missing}' flag`);
        return undefined;
      }
      m.Config = k8sConfig(f, caCert);
    }
    return m;
  }
  const config = { ...(m.Config ?? {}) };
  if (current.Type === 'kubernetes') {
    if (f.string('kubernetes-host') !== '') config['Host'] = f.string('kubernetes-host');
    if (caCert !== '') config['CACert'] = caCert;
    if (f.string('kubernetes-service-account-jwt') !== '') config['ServiceAccountJWT'] = f.string('kubernetes-service-account-jwt');
  }
  return { ...m, Config: config };
}

export const aclAuthMethodUpdate: Command = {
  synopsis: 'Update an ACL auth method',
  help: `Usage: proconsul acl auth-method update -name NAME [options]

  Updates an auth method. By default it will merge the auth method
  information with its current state so that you do not have to provide all
  parameters. This behavior can be disabled by passing -no-merge.

  Update all editable fields of the auth method:

    $ proconsul acl auth-method update -name "my-k8s" \\
                            -description "new description" \\
                            -kubernetes-host "https://new-apiserver.example.com:8443" \\
                            -kubernetes-ca-cert @/path/to/new-kube.ca.crt \\
                            -kubernetes-service-account-jwt "NEW_JWT_CONTENTS"`,
  flags: () =>
    new FlagSet([
      metaFlag(),
      { name: 'name', kind: 'string', usage: 'The auth method name.' },
      ...commonFlags(),
      {
        name: 'config',
        kind: 'string',
        // Consul's text, with its missing space after "field".
        usage:
          "The configuration for the auth method. Must be JSON. The config is updated as one fieldMay be prefixed with '@' to indicate that the value is a file path to load the config from. '-' may also be given to indicate that the config are available on stdin. ",
      },
      { name: 'no-merge', kind: 'bool', usage: 'Do not merge the current auth method information with what is provided to the command. Instead overwrite all fields with the exception of the name which is immutable.' },
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    if (badTtl(f, ui)) return 1;
    const name = f.string('name');
    if (name === '') {
      ui.error('Cannot update an auth method without specifying the -name parameter');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const current = await readOrReport<AuthMethod>(client, ui, methodPath(name), 'Error when retrieving current auth method', `Auth method not found with name ${JSON.stringify(name)}`);
    if (!current) return 1;
    const m = await updated(f, ui, current);
    if (!m) return 1;
    const request = () => send(client, 'PUT', methodPath(name), m);
    return requestAndPrint(ui, f.string('format'), `Error updating auth method ${JSON.stringify(name)}`, request, (x) => authMethodLines(x, showMeta(f)), authMethodJson);
  },
};

export const aclAuthMethodDelete: Command = {
  synopsis: 'Delete an ACL auth method',
  help: `Usage: proconsul acl auth-method delete -name NAME [options]

  Delete an auth method:

    $ proconsul acl auth-method delete -name "my-auth-method"`,
  flags: () => new FlagSet([{ name: 'name', kind: 'string', usage: 'The name of the auth method to delete.' }]).merge(clientAndServerFlags()),
  async run(f, ui) {
    const named = namedClient(f, ui);
    if (!named) return 1;
    const { client, name } = named;
    try {
      await client.http.request({ method: 'DELETE', path: methodPath(name), params: dcParams(client) });
    } catch (err) {
      ui.error(`Error deleting auth method ${JSON.stringify(name)}: ${errText(err)}`);
      return 1;
    }
    ui.output(`Auth method ${JSON.stringify(name)} deleted successfully`);
    return 0;
  },
};
