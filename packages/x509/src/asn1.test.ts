// Importing the package is cheap: the ASN.1 library loads on the first call that needs it, and
// it is the same module an ESM import of it gives (so callers' structures serialize here).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('loads @peculiar only on first use, as the module instance an import gives', () => {
  const index = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  const script = `import { createRequire } from 'node:module';
    const m = await import(${JSON.stringify(index)});
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('@peculiar'));
    const steps = [loaded()];
    m.newKey(); m.sigAlgFor(m.newKey().priv); m.pemEncode('X', Buffer.of(1));
    steps.push(loaded());
    m.dn([[m.OID.CN, 'x']]);
    steps.push(loaded());
    const esm = await import('@peculiar/asn1-x509');
    steps.push(m.asn1().x509.Name === esm.Name);
    console.log(steps.join(' '));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, cwd: fileURLToPath(new URL('..', import.meta.url)) });
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe('false false true true');
});
