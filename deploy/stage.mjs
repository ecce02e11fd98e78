#!/usr/bin/env node
// Stages the production tree of one or more workspaces into <out>/node_modules, from the
// host's already installed and built monorepo: no registry is needed (containers here cannot
// reach one). npm itself says which packages are production dependencies (`npm ls --omit=dev`);
// third-party packages are copied as installed, workspaces by their package.json `files`.
// Usage: node deploy/stage.mjs <out-dir> <workspace>...   e.g. .stage/agent @proconsul/cli
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [outArg, ...workspaces] = process.argv.slice(2);
if (!outArg || workspaces.length === 0) {
  console.error('usage: node deploy/stage.mjs <out-dir> <workspace>...');
  process.exit(1);
}
const out = resolve(outArg);

/** Every installed production dependency of the workspaces, as paths npm resolved. */
function productionPaths(workspace) {
  const args = ['ls', '--all', '--parseable', '--omit=dev', '--workspace', workspace];
  let stdout;
  try {
    stdout = execFileSync('npm', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    // npm ls exits 1 for a tree problem (missing, invalid); a missing package breaks the image.
    throw new Error(`npm ${args.join(' ')} failed: ${String(err.stderr || err.message).trim().split('\n').slice(-3).join(' ')}`);
  }
  return stdout.split('\n').filter((line) => line && resolve(line) !== root);
}

/** Runtime files of a workspace package: package.json plus its `files` (tests and fixtures left out). */
function copyWorkspace(src, dest) {
  const pkg = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8'));
  mkdirSync(dest, { recursive: true });
  cpSync(join(src, 'package.json'), join(dest, 'package.json'));
  for (const entry of pkg.files ?? ['dist']) {
    if (entry.startsWith('!') || entry.includes('*')) continue;
    const from = join(src, entry);
    if (!existsSync(from)) throw new Error(`${pkg.name}: ${entry} is missing (build it first: npm run build -w ${pkg.name})`);
    cpSync(from, join(dest, entry), {
      recursive: true,
      dereference: true,
      filter: (file) => !/\.test\.[cm]?[jt]s(\.map)?$|\.test\.d\.[cm]?ts(\.map)?$/.test(file) && basename(file) !== 'testing',
    });
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const seen = new Set();
/** Workspace directories (repo-relative) and where they land in the stage, for nested node_modules. */
const workspaceHomes = new Map();
const entries = [...new Set(workspaces.flatMap(productionPaths))].sort((a, b) => a.length - b.length);
for (const path of entries) {
  const rel = relative(root, path);
  const real = realpathSync(path);
  const realRel = relative(root, real);
  if (lstatSync(path).isSymbolicLink() && !realRel.split(sep).includes('node_modules')) {
    // A workspace: node_modules/@proconsul/x -> packages/x.
    if (seen.has(realRel)) continue;
    seen.add(realRel);
    workspaceHomes.set(realRel, rel);
    copyWorkspace(real, join(out, rel));
    continue;
  }
  // A third-party package, possibly nested under a workspace's own node_modules.
  let dest = rel;
  for (const [home, staged] of workspaceHomes) if (rel.startsWith(home + sep)) dest = staged + rel.slice(home.length);
  if (seen.has(dest)) continue;
  seen.add(dest);
  cpSync(real, join(out, dest), {
    recursive: true,
    dereference: true,
    // Nested dependencies are separate entries of the list; its node_modules may hold dev-only ones.
    filter: (file) => relative(real, file).split(sep)[0] !== 'node_modules',
  });
}
/**
 * Every package a staged workspace's code imports must be in the stage: in the monorepo an
 * undeclared dependency still resolves (hoisted node_modules), in the image it would not.
 */
function checkImports() {
  const missing = new Set();
  const builtins = new Set(builtinModules);
  const walk = (dir, owner) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, owner);
      else if (/\.[cm]?js$/.test(entry.name)) {
        for (const m of readFileSync(path, 'utf8').matchAll(/(?:^\s*import\b[^;'"]*?\bfrom\s*|^\s*export\b[^;'"]*?\bfrom\s*|\bimport\s*\(\s*|^\s*import\s*)['"]([@A-Za-z0-9_][\w.@/-]*)['"]/gm)) {
          const spec = m[1];
          if (spec.startsWith('node:') || builtins.has(spec)) continue;
          const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
          if (!existsSync(join(out, 'node_modules', pkg)) && !existsSync(join(out, owner, 'node_modules', pkg))) missing.add(`${pkg} (imported by ${relative(out, path)})`);
        }
      }
    }
  };
  for (const staged of workspaceHomes.values()) {
    const dist = join(out, staged, 'dist');
    if (existsSync(dist)) walk(dist, staged);
  }
  if (missing.size) {
    throw new Error(`the staged tree lacks imported packages, not declared as dependencies in package.json: ${[...missing].join(', ')}`);
  }
}
checkImports();
console.log(`staged ${seen.size} packages for ${workspaces.join(' ')} in ${relative(root, out) || out}`);
