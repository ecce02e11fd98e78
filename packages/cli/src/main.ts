/** The `proconsul` command tree and its dispatcher, mirroring Consul's CLI. */
import { runCommand, type Command } from './command.js';
import { aclBootstrap, aclPolicyCreate, aclTokenCreate, aclTokenReadSelf } from './commands/acl.js';
import { configDelete, configList, configRead, configWrite } from './commands/config.js';
import { aclAuthMethodCreate, aclAuthMethodDelete, aclAuthMethodList, aclAuthMethodRead, aclAuthMethodUpdate } from './commands/acl-auth-method.js';
import { aclBindingRuleCreate, aclBindingRuleDelete, aclBindingRuleList, aclBindingRuleRead, aclBindingRuleUpdate } from './commands/acl-binding-rule.js';
import {
  aclPolicyDelete,
  aclPolicyList,
  aclPolicyRead,
  aclRoleCreate,
  aclRoleDelete,
  aclRoleList,
  aclSetAgentToken,
  aclTokenDelete,
  aclTokenList,
} from './commands/acl-manage.js';
import { aclTemplatedPolicyList, aclTemplatedPolicyPreview, aclTemplatedPolicyRead } from './commands/acl-templated.js';
import { aclPolicyUpdate, aclRoleRead, aclRoleUpdate, aclTokenClone, aclTokenUpdate } from './commands/acl-update.js';
import { runAgent } from './commands/agent.js';
import { debug } from './commands/debug.js';
import { catalogDatacenters, catalogNodes, catalogServices } from './commands/catalog.js';
import { connectProxy } from './commands/connect-proxy.js';
import { event } from './commands/event.js';
import { exec } from './commands/exec.js';
import { forceLeave } from './commands/force-leave.js';
import { rtt } from './commands/rtt.js';
import { info } from './commands/info.js';
import { intentionCheckCmd, intentionCreateCmd, intentionDeleteCmd, intentionGetCmd, intentionListCmd, intentionMatchCmd } from './commands/intention.js';
import { join } from './commands/join.js';
import { keygen } from './commands/keygen.js';
import { keyring } from './commands/keyring.js';
import { kvDelete } from './commands/kv-delete.js';
import { kvExport } from './commands/kv-export.js';
import { kvGet } from './commands/kv-get.js';
import { kvImport } from './commands/kv-import.js';
import { kvPut } from './commands/kv-put.js';
import { leave } from './commands/leave.js';
import { lock } from './commands/lock.js';
import { login, logout } from './commands/login.js';
import { maint } from './commands/maint.js';
import { members } from './commands/members.js';
import { monitor } from './commands/monitor.js';
import { autopilotGetConfig, autopilotSetConfig, autopilotState } from './commands/operator-autopilot.js';
import { peeringDelete, peeringEstablish, peeringGenerateToken, peeringList, peeringRead } from './commands/peering.js';
import { connectCaGetConfig, connectCaSetConfig } from './commands/connect-ca.js';
import { connectExpose } from './commands/connect-expose.js';
import { raftListPeers, raftRemovePeer, raftTransferLeader } from './commands/operator-raft.js';
import { operatorUsageInstances } from './commands/operator-usage.js';
import { reload } from './commands/reload.js';
import { servicesDeregister, servicesRegister } from './commands/services.js';
import { snapshotInspect, snapshotRestore, snapshotSave } from './commands/snapshot.js';
import { tlsCaCreate, tlsCertCreate } from './commands/tls.js';
import { validate } from './commands/validate.js';
import { version } from './commands/version.js';
import { watchCommand } from './commands/watch.js';
import { Ui, type Io } from './io.js';

interface Group {
  synopsis: string;
  usage: string;
  subcommands: Record<string, Command | Group>;
}

type Entry = Command | Group | 'agent';

function isGroup(e: Entry): e is Group {
  return typeof e === 'object' && 'subcommands' in e;
}

export const COMMANDS: Record<string, Entry> = {
  acl: {
    synopsis: 'Interact with Consul\'s ACLs',
    usage: 'Usage: proconsul acl <subcommand> [options] [args]',
    subcommands: {
      'auth-method': {
        synopsis: 'Manage Consul\'s ACL auth methods',
        usage: 'Usage: proconsul acl auth-method <subcommand> [options] [args]',
        subcommands: { create: aclAuthMethodCreate, delete: aclAuthMethodDelete, list: aclAuthMethodList, read: aclAuthMethodRead, update: aclAuthMethodUpdate },
      },
      'binding-rule': {
        synopsis: 'Manage Consul\'s ACL binding rules',
        usage: 'Usage: proconsul acl binding-rule <subcommand> [options] [args]',
        subcommands: { create: aclBindingRuleCreate, delete: aclBindingRuleDelete, list: aclBindingRuleList, read: aclBindingRuleRead, update: aclBindingRuleUpdate },
      },
      bootstrap: aclBootstrap,
      policy: { synopsis: 'Manage Consul\'s ACL policies', usage: 'Usage: proconsul acl policy <subcommand> [options] [args]', subcommands: { create: aclPolicyCreate, delete: aclPolicyDelete, list: aclPolicyList, read: aclPolicyRead, update: aclPolicyUpdate } },
      token: { synopsis: 'Manage Consul\'s ACL tokens', usage: 'Usage: proconsul acl token <subcommand> [options] [args]', subcommands: { clone: aclTokenClone, create: aclTokenCreate, delete: aclTokenDelete, list: aclTokenList, read: aclTokenReadSelf, update: aclTokenUpdate } },
      role: { synopsis: 'Manage Consul\'s ACL roles', usage: 'Usage: proconsul acl role <subcommand> [options] [args]', subcommands: { create: aclRoleCreate, delete: aclRoleDelete, list: aclRoleList, read: aclRoleRead, update: aclRoleUpdate } },
      'templated-policy': {
        synopsis: 'Manage Consul\'s ACL templated policies',
        usage: 'Usage: proconsul acl templated-policy <subcommand> [options] [args]',
        subcommands: { list: aclTemplatedPolicyList, preview: aclTemplatedPolicyPreview, read: aclTemplatedPolicyRead },
      },
      'set-agent-token': aclSetAgentToken,
    },
  },
  agent: 'agent',
  catalog: {
    synopsis: 'Interact with the catalog',
    usage: 'Usage: proconsul catalog <subcommand> [options] [args]',
    subcommands: { datacenters: catalogDatacenters, nodes: catalogNodes, services: catalogServices },
  },
  config: {
    synopsis: 'Interact with Consul\'s Centralized Configurations',
    usage: 'Usage: proconsul config <subcommand> [options] [args]',
    subcommands: { delete: configDelete, list: configList, read: configRead, write: configWrite },
  },
  connect: {
    synopsis: 'Interact with Consul Connect',
    usage: 'Usage: proconsul connect <subcommand> [options]',
    subcommands: {
      ca: {
        synopsis: 'Interact with the Consul Connect Certificate Authority (CA)',
        usage: 'Usage: proconsul connect ca <subcommand> [options]',
        subcommands: { 'get-config': connectCaGetConfig, 'set-config': connectCaSetConfig },
      },
      expose: connectExpose,
      proxy: connectProxy,
    },
  },
  debug,
  event,
  exec,
  'force-leave': forceLeave,
  info,
  intention: {
    synopsis: 'Interact with Connect service intentions',
    usage: 'Usage: proconsul intention <subcommand> [options] [args]',
    subcommands: { check: intentionCheckCmd, create: intentionCreateCmd, delete: intentionDeleteCmd, get: intentionGetCmd, list: intentionListCmd, match: intentionMatchCmd },
  },
  join,
  keygen,
  keyring,
  kv: {
    synopsis: 'Interact with the key-value store',
    usage: 'Usage: proconsul kv <subcommand> [options] [args]',
    subcommands: { delete: kvDelete, export: kvExport, get: kvGet, import: kvImport, put: kvPut },
  },
  leave,
  lock,
  login,
  logout,
  maint,
  members,
  monitor,
  operator: {
    synopsis: 'Provides cluster-level tools for Consul operators',
    usage: 'Usage: proconsul operator <subcommand> [options]',
    subcommands: {
      autopilot: {
        synopsis: 'Provides tools for modifying Autopilot configuration',
        usage: 'Usage: proconsul operator autopilot <subcommand> [options]',
        subcommands: { 'get-config': autopilotGetConfig, 'set-config': autopilotSetConfig, state: autopilotState },
      },
      raft: {
        synopsis: 'Provides cluster-level tools for Consul operators',
        usage: 'Usage: proconsul operator raft <subcommand> [options]',
        subcommands: { 'list-peers': raftListPeers, 'remove-peer': raftRemovePeer, 'transfer-leader': raftTransferLeader },
      },
      usage: {
        synopsis: 'Provides cluster-level usage information',
        usage: 'Usage: proconsul operator usage <subcommand> [options]',
        subcommands: { instances: operatorUsageInstances },
      },
    },
  },
  peering: {
    synopsis: 'Create and manage peering connections between Consul clusters',
    usage: 'Usage: proconsul peering <subcommand> [options] [args]',
    subcommands: { delete: peeringDelete, establish: peeringEstablish, 'generate-token': peeringGenerateToken, list: peeringList, read: peeringRead },
  },
  reload,
  rtt,
  services: {
    synopsis: 'Interact with services',
    usage: 'Usage: proconsul services <subcommand> [options] [args]',
    subcommands: { deregister: servicesDeregister, register: servicesRegister },
  },
  snapshot: {
    synopsis: 'Saves, restores and inspects snapshots of Consul server state',
    usage: 'Usage: proconsul snapshot <subcommand> [options] [args]',
    subcommands: { inspect: snapshotInspect, restore: snapshotRestore, save: snapshotSave },
  },
  tls: {
    synopsis: 'Builtin helpers for creating CAs and certificates',
    usage: 'Usage: proconsul tls <subcommand> <subcommand> [options]',
    subcommands: {
      ca: { synopsis: 'Helpers for CAs', usage: 'Usage: proconsul tls ca <subcommand> [options]', subcommands: { create: tlsCaCreate } },
      cert: { synopsis: 'Helpers for certificates', usage: 'Usage: proconsul tls cert <subcommand> [options]', subcommands: { create: tlsCertCreate } },
    },
  },
  validate,
  version,
  watch: watchCommand,
};

function synopsisOf(e: Entry): string {
  return e === 'agent' ? 'Runs a Proconsul agent' : e.synopsis;
}

function listing(entries: Record<string, Entry>): string {
  const names = Object.keys(entries).sort();
  const width = Math.max(...names.map((n) => n.length));
  return names.map((n) => `    ${n.padEnd(width)}    ${synopsisOf(entries[n]!)}`).join('\n');
}

export function mainHelp(): string {
  return `Usage: proconsul [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n${listing(COMMANDS)}`;
}

function groupHelp(g: Group): string {
  return `${g.usage}\n\n  ${g.synopsis}.\n\nSubcommands:\n${listing(g.subcommands)}`;
}

/** A command by name; own names only, so `proconsul kv valueOf` is an unknown command, not Object's method. */
function lookup<T>(table: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** Runs `proconsul <argv...>` and returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const ui = new Ui(io);
  const [first, ...rest] = argv;
  if (first === undefined) {
    ui.error(mainHelp());
    return 1;
  }
  if (first === '--version' || first === '-version' || first === '-v') return runCommand(version, [], io);
  if (first === '--help' || first === '-help' || first === '-h' || first === 'help') {
    ui.output(mainHelp());
    return 0;
  }
  let entry: Entry | undefined = lookup(COMMANDS, first);
  const path = [first];
  let args = rest;
  if (entry === undefined) {
    ui.error(`Unknown command: "${first}". Run "proconsul --help" for the list of commands.`);
    return 1;
  }
  if (entry === 'agent') return runAgent(args, io);
  while (isGroup(entry)) {
    const sub: string | undefined = args[0];
    if (sub === undefined || sub === '-h' || sub === '-help' || sub === '--help') {
      if (sub === undefined) {
        ui.error(groupHelp(entry));
        return 1;
      }
      ui.output(groupHelp(entry));
      return 0;
    }
    const next: Command | Group | undefined = lookup(entry.subcommands, sub);
    if (next === undefined) {
      ui.error(`Unknown command: "${[...path, sub].join(' ')}". Run "proconsul ${path.join(' ')} -help" for its subcommands.`);
      return 1;
    }
    path.push(sub);
    args = args.slice(1);
    entry = next;
  }
  return runCommand(entry, args, io);
}

