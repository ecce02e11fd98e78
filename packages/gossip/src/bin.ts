// proconsul-gossip: run one gossip member from the command line and watch its events.
//   proconsul-gossip --name n1 --bind 127.0.0.1:7946 [--join host:port ...] [--advertise host:port]
//                    [--profile lan|wan] [--tag key=value ...] [--encrypt <base64 key>]
//                    [--set setting=value ...]   (a Config setting of the profile, e.g. probeIntervalMs=1000)
// Prints one JSON line per member event ({"event":"join","name":...}); reads commands from stdin:
// `join host:port`, `tags k=v ...`, `members`, `stats`, `leave`, `quit`.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { GossipNode } from './node.js';
import { profileConfig, validateConfig, type Config, type Profile } from './config.js';

function fail(msg: string): never {
  process.stderr.write(`proconsul-gossip: ${msg}\n`);
  process.exit(1);
}

function parseTags(list: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) fail(`tag must be key=value: ${kv}`);
    tags[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return tags;
}

/** `--set probeIntervalMs=1000`: overrides of single profile settings, checked like any config. */
function parseSettings(list: readonly string[], profile: Profile): Partial<Config> {
  const base = profileConfig(profile);
  const over: Record<string, number | boolean> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    const key = kv.slice(0, i);
    if (i <= 0 || !(key in base)) fail(`--set needs setting=value with a setting of the profile: ${kv}`);
    const raw = kv.slice(i + 1);
    const cur = base[key as keyof Config];
    if (typeof cur === 'boolean') {
      if (raw !== 'true' && raw !== 'false') fail(`--set ${key} must be true or false`);
      over[key] = raw === 'true';
    } else {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n)) fail(`--set ${key} must be a number`);
      over[key] = n;
    }
  }
  try {
    validateConfig({ ...base, ...over } as Config);
  } catch (e) {
    fail((e as Error).message);
  }
  return over as Partial<Config>;
}

const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        name: { type: 'string' },
        bind: { type: 'string', default: '0.0.0.0:7946' },
        advertise: { type: 'string' },
        join: { type: 'string', multiple: true, default: [] },
        profile: { type: 'string', default: 'lan' },
        tag: { type: 'string', multiple: true, default: [] },
        encrypt: { type: 'string' },
        set: { type: 'string', multiple: true, default: [] },
      },
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (!values.name) fail('--name is required');
  if (values.profile !== 'lan' && values.profile !== 'wan') fail('--profile must be lan or wan');
  const m = /^(.+):(\d+)$/.exec(values.bind);
  if (!m) fail('--bind must be host:port');
  let node: GossipNode;
  try {
    node = await GossipNode.create({
      name: values.name, bindAddr: m[1]!, bindPort: Number(m[2]), advertise: values.advertise,
      profile: values.profile as Profile, tags: parseTags(values.tag), keyring: values.encrypt ? [values.encrypt] : undefined,
      config: parseSettings(values.set, values.profile as Profile),
    });
  } catch (e) {
    fail((e as Error).message);
  }
  node.on('event', (e) => out({ event: e.type, name: e.member.name, addr: `${e.member.addr}:${e.member.port}`, tags: e.member.tags }));
  out({ ready: true, name: node.name, port: node.port });
  if (values.join.length > 0) {
    try {
      out({ joined: await node.join(values.join) });
    } catch (e) {
      fail((e as Error).message);
    }
  }
  const stop = async (code: number) => {
    await node.shutdown();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    void (async () => {
      const [cmd, ...args] = line.trim().split(/\s+/);
      try {
        switch (cmd) {
          case 'join': out({ joined: await node.join(args) }); break;
          case 'tags': node.setTags(parseTags(args)); out({ tags: 'ok' }); break;
          case 'members': out({ members: node.members() }); break;
          case 'stats': out({ stats: node.stats() }); break;
          case 'leave': await node.leave(); out({ left: true }); break;
          case 'quit': await stop(0); break;
          case '': case undefined: break;
          default: out({ error: `unknown command ${cmd}` });
        }
      } catch (e) {
        out({ error: (e as Error).message });
      }
    })();
  });
}

void main();
