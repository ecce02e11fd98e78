// `npm run docs:gen`: writes the generated sections of docs/reference/*.md from the code that
// holds the lists: the agent's HTTP route table, the CLI's command tree and flags, the agent's
// flags and its config schema. `--check` writes nothing and exits 1 naming every section that
// differs (docs/test/reference.test.ts runs it in `npm test`).
//
// A generated section sits between `<!-- generated:NAME -->` and `<!-- end generated:NAME -->`;
// everything outside the markers is written by hand and kept.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_SPEC, FLAG_DEFS, loadConfig, routeTable, startAgent } from '@proconsul/agent';
import { clientFlags, COMMANDS, serverFlags } from '@proconsul/cli';
import { HTTP_NOTES, NOT_IMPLEMENTED } from './http-notes.mjs';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

// --- From a real -dev agent: its routes (every route plugin runs at start) and its gauges ---
let live;
async function liveAgent() {
  if (!live) {
    // An address of the docs' range (127.0.77.0/24) and no DNS: nothing else is needed.
    // telemetry.disable_hostname: the names without this machine's hostname in the gauges.
    const config = await loadConfig(['-dev', '-bind', '127.0.77.250', '-client', '127.0.77.250', '-http-port', '18690', '-dns-port', '-1', '-log-level', 'err', '-hcl', 'telemetry { disable_hostname = true }']);
    const agent = await startAgent(config);
    live = { routes: new Map(routeTable()), gauges: agent.ctx.metrics.summary().Gauges.map((g) => g.Name) };
    await agent.close();
  }
  return live;
}

async function gauges() {
  const out = ['| name (`/v1/agent/metrics`) | Prometheus (`?format=prometheus`) |', '|---|---|'];
  for (const name of [...(await liveAgent()).gauges].sort()) out.push(`| \`${name}\` | \`${name.replace(/[ .=\-/]/g, '_')}\` |`);
  return out.join('\n');
}

async function httpRoutes() {
  const table = (await liveAgent()).routes;
  for (const url of Object.keys(HTTP_NOTES)) {
    if (!table.has(url)) throw new Error(`docs/scripts/http-notes.mjs has a note for ${url}, which is not a route any more`);
  }
  const rows = [...table.entries()].sort(([a], [b]) => a.localeCompare(b));
  const out = ['| endpoint | methods | differences from Consul |', '|---|---|---|'];
  for (const [url, methods] of rows) {
    const path = url.replace(/\/\*$/, '/<rest of path>').replace(/:(\w+)/g, '<$1>');
    out.push(`| \`${path}\` | ${methods.join(', ')} | ${cell(HTTP_NOTES[url] ?? '')} |`);
  }
  out.push('', `${rows.length} endpoints. Not implemented (Consul answers them, Proconsul answers 404):`, '');
  for (const n of NOT_IMPLEMENTED) out.push(`- ${n}`);
  return out.join('\n');
}

// --- CLI: the command tree of @proconsul/cli ---
function cliCommands() {
  const common = new Set([...clientFlags().list(), ...serverFlags().list()].map((f) => f.name));
  const out = [];
  const flagRows = (flags) => {
    const rows = ['| flag | value | default | meaning |', '|---|---|---|---|'];
    for (const f of [...flags].sort((a, b) => a.name.localeCompare(b.name))) {
      const value = f.kind === 'bool' ? '' : `\`<${f.kind}>\``;
      const def = f.default === undefined || f.default === '' || f.default === false ? '' : `\`${f.default}\``;
      rows.push(`| \`-${f.name}\` | ${value} | ${def} | ${cell(f.usage)} |`);
    }
    return rows.join('\n');
  };
  out.push('### HTTP API options', '', 'Every command that talks to an agent takes these (those marked in its section):', '');
  out.push(flagRows([...clientFlags().list(), ...serverFlags().list()]), '');
  const walk = (path, entry) => {
    if (entry === 'agent') {
      out.push(`### proconsul ${path.join(' ')}`, '', 'Runs an agent; its flags are listed in [Agent flags](#agent-flags).', '');
      return;
    }
    if ('subcommands' in entry) {
      for (const name of Object.keys(entry.subcommands).sort()) walk([...path, name], entry.subcommands[name]);
      return;
    }
    const flags = entry.flags().list().filter((f) => !f.hidden);
    const own = flags.filter((f) => !common.has(f.name));
    const shared = flags.filter((f) => common.has(f.name)).map((f) => `\`-${f.name}\``);
    const usage = entry.help.trim().split('\n')[0];
    out.push(`### proconsul ${path.join(' ')}`, '', `${entry.synopsis}. \`${usage.replace(/^Usage: /, '')}\``, '');
    if (own.length) out.push(flagRows(own), '');
    if (shared.length) out.push(`HTTP API options: ${shared.join(', ')}.`, '');
  };
  for (const name of Object.keys(COMMANDS).sort()) walk([name], COMMANDS[name]);
  return out.join('\n').trimEnd();
}

function agentFlags() {
  const out = ['| flag | value | sets |', '|---|---|---|'];
  for (const name of Object.keys(FLAG_DEFS).sort()) {
    const d = FLAG_DEFS[name];
    const value = { bool: '', 'ignored-bool': '', string: '`<string>`', int: '`<int>`', duration: '`<duration>`', list: '`<value>` (repeatable)', map: '`<key:value>` (repeatable)', 'config-path': '`<path>` (repeatable)', hcl: '`<hcl>` (repeatable)', ignored: '`<value>`' }[d.kind];
    let sets;
    if (d.kind === 'ignored' || d.kind === 'ignored-bool') sets = 'accepted and ignored';
    else if (d.kind === 'config-path') sets = 'reads config files (JSON or HCL)';
    else if (d.kind === 'hcl') sets = 'an HCL config fragment, merged after the flags';
    else if (d.key?.[0]?.startsWith('$')) sets = name === 'dev' ? 'development mode (in memory, its own leader, UI on)' : 'the format of config files without a known extension';
    else sets = `\`${d.key.join('.')}\``;
    out.push(`| \`-${name}\` | ${value ?? ''} | ${sets} |`);
  }
  return out.join('\n');
}

// --- Config keys: the agent's schema (JSON and HCL read the same keys) ---
function typeName(t) {
  if (typeof t === 'string') {
    return { string: 'string', bool: 'bool', int: 'int', duration: 'duration ("10s" or ns)', strings: 'list of strings', stringMap: 'map of strings', headerMap: 'map of string lists', any: 'accepted, ignored' }[t];
  }
  if ('opaque' in t) return `object (${t.opaque}, kept as given)`;
  if ('object' in t) return 'object';
  return 'list of objects';
}

function configKeys() {
  const out = ['| key | type |', '|---|---|'];
  // service/check definitions are documented with their own fields in packages/agent/CONFIG.md.
  const SHALLOW = new Set(['service', 'services', 'check', 'checks']);
  const walk = (prefix, spec, depth) => {
    const fields = [...spec.fields].sort((a, b) => a.name.localeCompare(b.name));
    for (const f of fields) {
      const key = prefix ? `${prefix}.${f.name}` : f.name;
      const aliases = f.aliases?.length ? ` (also: ${f.aliases.map((a) => `\`${a}\``).join(', ')})` : '';
      out.push(`| \`${key}\`${aliases} | ${typeName(f.type)} |`);
      const t = f.type;
      if (typeof t === 'object' && ('object' in t || 'array' in t) && !SHALLOW.has(key) && depth < 3) {
        walk(key, t.object ?? t.array, depth + 1);
      }
    }
  };
  walk('', CONFIG_SPEC, 0);
  return out.join('\n');
}

const SECTIONS = {
  'http-api.md': { routes: httpRoutes },
  'cli.md': { commands: async () => cliCommands(), 'agent-flags': async () => agentFlags() },
  'config.md': { keys: async () => configKeys() },
  'metrics.md': { gauges },
};

let stale = 0;
let written = 0;
for (const [file, sections] of Object.entries(SECTIONS)) {
  const path = join(docs, 'reference', file);
  const before = readFileSync(path, 'utf8');
  let text = before;
  for (const [name, make] of Object.entries(sections)) {
    const begin = `<!-- generated:${name} (npm run docs:gen) -->`;
    const end = `<!-- end generated:${name} -->`;
    const i = text.indexOf(begin);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error(`${path}: markers for "${name}" not found (${begin} ... ${end})`);
    text = `${text.slice(0, i + begin.length)}\n${await make()}\n${text.slice(j)}`;
  }
  if (text === before) continue;
  if (check) {
    stale++;
    console.error(`docs/reference/${file} differs from what the code generates: run npm run docs:gen and commit`);
  } else {
    writeFileSync(path, text);
    written++;
    console.log(`wrote docs/reference/${file}`);
  }
}
if (!check && !written) console.log('docs/reference is up to date');
process.exit(stale ? 1 : 0);
