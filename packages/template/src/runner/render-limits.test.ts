// consul-template's per-template limits: function_denylist (glob patterns; a denied function
// still parses and fails when called) and sandbox_path (`file` only below it, symlinks
// resolved first), on real files.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Brain } from '../consul/brain.js';
import { applyConfigObject, defaultConfig } from './config.js';
import { parseHcl } from './hcl.js';
import { TemplateRenderer } from './render.js';

const dir = mkdtempSync(join(tmpdir(), 'ct-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('function_denylist', () => {
  it('fails a render that calls a denied function, with consul-template text; others still run', () => {
    const brain = new Brain();
    const r = new TemplateRenderer(brain, {
      name: 'w.ctmpl',
      text: '{{ "x" | writeToFile "/tmp/never" "" "" "0644" }}',
      functionDenylist: ['write*', 'env'],
    }).render();
    expect(r.complete).toBe(false);
    expect(r.error?.message).toMatch(/error calling writeToFile: function is disabled$/);
    const env = new TemplateRenderer(brain, { name: 'e', text: '{{ env "HOME" }}', functionDenylist: ['env'] }).render();
    expect(env.error?.message).toMatch(/error calling env: function is disabled$/);
    expect(new TemplateRenderer(brain, { name: 'ok', text: '{{ envOrDefault "NOPE_X" "d" }}', functionDenylist: ['env'] }).render()).toMatchObject({ complete: true, contents: 'd' });
  });

  it('is read from function_denylist and its old name function_blacklist', () => {
    const load = (hcl: string) => {
      const cfg = defaultConfig();
      applyConfigObject(cfg, parseHcl(hcl));
      return cfg;
    };
    const cfg = load('template {\n  contents = "x"\n  destination = "/tmp/x"\n  function_denylist = ["plugin"]\n  function_blacklist = ["writeToFile"]\n  sandbox_path = "/srv/files"\n}\n');
    expect(cfg.templates[0]).toMatchObject({ functionDenylist: ['plugin', 'writeToFile'], sandboxPath: '/srv/files' });
    expect(() => load('template {\n  contents = "x"\n  destination = "/tmp/x"\n  function_denylist = "env"\n}\n')).toThrow('template[0].function_denylist: expected a list of strings');
  });
});

describe('sandbox_path', () => {
  const sandbox = join(dir, 'sandbox');
  mkdirSync(sandbox);
  writeFileSync(join(sandbox, 'in.txt'), 'inside');
  writeFileSync(join(dir, 'secret.txt'), 'outside');
  symlinkSync(join(dir, 'secret.txt'), join(sandbox, 'escape.txt'));

  const render = (path: string) => {
    const brain = new Brain();
    const r = new TemplateRenderer(brain, { name: 'f', text: `{{ file "${path}" }}`, sandboxPath: sandbox });
    const first = r.render();
    for (const dep of first.missing.values()) brain.remember(dep.id, `contents of ${dep.id}`);
    return first.error ? first : r.render();
  };

  it('reads a file inside the sandbox by its resolved path', () => {
    expect(render(join(sandbox, 'in.txt'))).toMatchObject({ complete: true, contents: `contents of file(${join(sandbox, 'in.txt')})` });
  });

  it('refuses a file outside it, a symlink that leads out, and a missing file', () => {
    expect(render(join(dir, 'secret.txt')).error?.message).toMatch(new RegExp(`error calling file: '${join(dir, 'secret.txt')}' is outside of sandbox$`));
    expect(render(join(sandbox, 'escape.txt')).error?.message).toMatch(/error calling file: '.*escape\.txt' is outside of sandbox$/);
    expect(render(join(sandbox, 'nope.txt')).error?.message).toMatch(/error calling file: failed to resolve target path: lstat .*nope\.txt: no such file or directory$/);
  });
});
