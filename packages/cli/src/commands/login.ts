/**
 * `proconsul login` and `proconsul logout` (Consul 1.17's command/login and command/logout):
 * exchange a bearer token with an auth method for an ACL token written to a sink file
 * (POST /v1/acl/login), and destroy such a token again (POST /v1/acl/logout).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from '../command.js';
import { FlagSet, type FlagDef, type ParsedFlags } from '../flags.js';
import { Ui } from '../io.js';
import { apiClient, clientAndServerFlags, dcParams, errText } from '../http-flags.js';
import type { Token } from './acl-format.js';
import { goFileError } from './kv-data.js';

const AWS_ONLY = ' [aws-iam only]';

/** The aws-iam flags (command/login/aws.go), registered after -meta as Consul merges them. */
const awsFlags = (): FlagDef[] => [
  {
    name: 'aws-auto-bearer-token',
    kind: 'bool',
    usage:
      'Construct a bearer token and login to the AWS IAM auth method. This requires AWS credentials. AWS credentials are automatically discovered from standard sources supported by the Go SDK for AWS. Alternatively, explicit credentials can be passed using the -aws-acesss-key-id and -aws-secret-access-key flags.' +
      AWS_ONLY,
  },
  { name: 'aws-include-entity', kind: 'bool', usage: 'Include a signed request to get the IAM role or IAM user in the bearer token.' + AWS_ONLY },
  { name: 'aws-sts-endpoint', kind: 'string', usage: 'URL for AWS STS API calls.' + AWS_ONLY },
  {
    name: 'aws-region',
    kind: 'string',
    usage: 'Region for AWS API calls. If set, should match the region of -aws-sts-endpoint. If not provided, the region will be discovered from standard sources, such as the AWS_REGION environment variable.' + AWS_ONLY,
  },
  {
    name: 'aws-server-id-header-value',
    kind: 'string',
    usage:
      'If set, an X-Consul-IAM-ServerID header is included in signed AWS API request(s) that form the bearer token. This value must match the server-side configured value for the auth method in order to login. This is optional and helps protect against replay attacks.' +
      AWS_ONLY,
  },
  { name: 'aws-access-key-id', kind: 'string', usage: 'AWS access key id to use. Requires -aws-secret-access-key if specified.' + AWS_ONLY },
  { name: 'aws-secret-access-key', kind: 'string', usage: 'AWS secret access key to use. Requires -aws-access-key-id if specified.' + AWS_ONLY },
  { name: 'aws-session-token', kind: 'string', usage: 'AWS session token to use. Requires -aws-access-key-id and -aws-secret-access-key if specified.' + AWS_ONLY },
];

/** Consul's AWSLogin.checkFlags: the error text, or undefined when the aws flags fit together. */
export function awsFlagsError(f: ParsedFlags): string | undefined {
  const s = (n: string): string => f.string(n);
  const auto = f.set.has('aws-auto-bearer-token') && f.bool('aws-auto-bearer-token');
  const entity = f.set.has('aws-include-entity') && f.bool('aws-include-entity');
  if (!auto && (entity || ['aws-sts-endpoint', 'aws-region', 'aws-server-id-header-value', 'aws-access-key-id', 'aws-secret-access-key', 'aws-session-token'].some((n) => s(n) !== ''))) {
    return "Missing '-aws-auto-bearer-token' flag";
  }
  if (s('aws-access-key-id') !== '' && s('aws-secret-access-key') === '') return "Missing '-aws-secret-access-key' flag";
  if (s('aws-secret-access-key') !== '' && s('aws-access-key-id') === '') return "Missing '-aws-access-key-id' flag";
  if (s('aws-session-token') !== '' && (s('aws-access-key-id') === '' || s('aws-secret-access-key') === '')) return "Missing '-aws-access-key-id' and '-aws-secret-access-key' flags";
  return undefined;
}

/** The bearer token from -bearer-token-file, trimmed; undefined after printing Consul's error. */
async function bearerToken(f: ParsedFlags, ui: Ui): Promise<string | undefined> {
  const awsError = awsFlagsError(f);
  if (awsError) {
    ui.error(awsError);
    return undefined;
  }
  const file = f.string('bearer-token-file');
  if (f.set.has('aws-auto-bearer-token') && f.bool('aws-auto-bearer-token')) {
    if (file !== '') ui.error("Cannot use '-bearer-token-file' flag with '-aws-auto-bearer-token'");
    // Signing AWS requests needs the AWS SDK, which this CLI does not carry.
    else ui.error('Error with aws-iam auth method: -aws-auto-bearer-token is not supported by proconsul');
    return undefined;
  }
  if (file === '') {
    ui.error("Missing required '-bearer-token-file' flag");
    return undefined;
  }
  let token: string;
  try {
    token = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    ui.error(goFileError(err, file));
    return undefined;
  }
  if (token === '') {
    ui.error(`No bearer token found in ${file}`);
    return undefined;
  }
  return token;
}

/**
 * Consul's file.WriteAtomicWithPerms(path, data, 0755, 0600): the directory made if needed, the
 * data written to a temporary file beside the target with mode 0600, then renamed over it.
 */
export async function writeSink(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const tmp = `${path}.tmp${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, data, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export const login: Command = {
  synopsis: 'Login to Consul using an auth method',
  help: `Usage: proconsul login [options]

  The login command will exchange the provided third party credentials with the
  requested auth method for a newly minted Consul ACL token. The companion
  command 'proconsul logout' should be used to destroy any tokens created this way
  to avoid a resource leak.`,
  flags: () =>
    new FlagSet([
      { name: 'method', kind: 'string', usage: 'Name of the auth method to login to.' },
      { name: 'type', kind: 'string', usage: 'Type of the auth method to login to. This field is optional and defaults to no type.' },
      { name: 'bearer-token-file', kind: 'string', usage: 'Path to a file containing a secret bearer token to use with this auth method.' },
      { name: 'token-sink-file', kind: 'string', usage: "The most recent token's SecretID is kept up to date in this file." },
      { name: 'meta', kind: 'map', usage: 'Metadata to set on the token, formatted as key=value. This flag may be specified multiple times to set multiple meta fields.' },
      ...awsFlags(),
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    if (f.args.length > 0) {
      ui.error('Should have no non-flag arguments.');
      return 1;
    }
    if (f.string('method') === '') {
      ui.error("Missing required '-method' flag");
      return 1;
    }
    const sink = f.string('token-sink-file');
    if (sink === '') {
      ui.error("Missing required '-token-sink-file' flag");
      return 1;
    }
    const bearer = await bearerToken(f, ui);
    if (bearer === undefined) return 1;
    // Consul empties -token and -token-file before the login: no token, from flags or environment.
    const unset = new Set(['token', 'token-file']);
    const noToken: ParsedFlags = { ...f, set: new Set([...f.set].filter((n) => !unset.has(n))) };
    const env = { ...ui.io.env, CONSUL_HTTP_TOKEN: undefined, CONSUL_HTTP_TOKEN_FILE: undefined };
    const client = apiClient(noToken, new Ui({ ...ui.io, env }));
    if (!client) return 1;
    const meta = f.map('meta');
    let token: Token;
    try {
      const body = { AuthMethod: f.string('method'), BearerToken: bearer, ...(Object.keys(meta).length ? { Meta: meta } : {}) };
      token = (await client.http.json<Token>({ method: 'POST', path: '/acl/login', params: dcParams(client), body, token: '' })).data;
    } catch (err) {
      ui.error(`Error logging in: ${errText(err)}`);
      return 1;
    }
    try {
      await writeSink(sink, token.SecretID);
    } catch (err) {
      ui.error(`Error writing token to file sink: ${errText(err)}`);
      return 1;
    }
    return 0;
  },
};

export const logout: Command = {
  synopsis: 'Destroy a Consul token created with login',
  help: `Usage: proconsul logout [options]

  The logout command will destroy the provided token if it was created from
  'proconsul login'.`,
  flags: () => clientAndServerFlags(),
  async run(f, ui) {
    if (f.args.length > 0) {
      ui.error('Should have no non-flag arguments.');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      await client.http.request({ method: 'POST', path: '/acl/logout', params: dcParams(client) });
    } catch (err) {
      ui.error(`Error destroying token: ${errText(err)}`);
      return 1;
    }
    return 0;
  },
};
