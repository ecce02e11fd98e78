import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiTemplated, extractTemplatedPolicies, parseTemplatedPolicyFile, templatedPolicyLines } from './commands/acl-templated.js';

describe('templated policy flags and files', () => {
  it('turns -templated-policy and -var into the API\'s templated policy (the key in any case)', async () => {
    expect(await extractTemplatedPolicies('builtin/service', '', ['name:api'])).toEqual([{ TemplateName: 'builtin/service', TemplateVariables: { Name: 'api' } }]);
    expect(await extractTemplatedPolicies('builtin/service', '', ['NAME:web'])).toEqual([{ TemplateName: 'builtin/service', TemplateVariables: { Name: 'web' } }]);
    // A variable the template does not have is dropped, as Go's JSON decoding drops it.
    expect(await extractTemplatedPolicies('builtin/node', '', ['other:x'])).toEqual([{ TemplateName: 'builtin/node', TemplateVariables: { Name: '' } }]);
    expect(await extractTemplatedPolicies('builtin/dns', '', [])).toEqual([{ TemplateName: 'builtin/dns' }]);
    expect(await extractTemplatedPolicies('', '', ['name:x'])).toEqual([]);
    await expect(extractTemplatedPolicies('builtin/service', '', ['name:a:b'])).rejects.toThrow('Malformed -var argument: "name:a:b", expecting VariableName:Value');
  });

  it('reads every TemplatedPolicy block of a file in order, HCL or JSON', () => {
    const hcl = `
      # a comment
      TemplatedPolicy "builtin/service" {
        Name = "web"
        Datacenters = ["dc1", "dc2"]
      }
      // the same template again is its own entry
      TemplatedPolicy "builtin/service" { name = "db" }
      /* no variables */ TemplatedPolicy "builtin/dns" {}
    `;
    expect(parseTemplatedPolicyFile(hcl)).toEqual([
      { TemplateName: 'builtin/service', TemplateVariables: { Name: 'web' }, Datacenters: ['dc1', 'dc2'] },
      { TemplateName: 'builtin/service', TemplateVariables: { Name: 'db' } },
      { TemplateName: 'builtin/dns', TemplateVariables: { Name: '' } },
    ]);
    expect(parseTemplatedPolicyFile('{"TemplatedPolicy": [{"builtin/node": [{"Name": "n1"}]}, {"builtin/node": {"Name": "n2"}}]}')).toEqual([
      { TemplateName: 'builtin/node', TemplateVariables: { Name: 'n1' } },
      { TemplateName: 'builtin/node', TemplateVariables: { Name: 'n2' } },
    ]);
    expect(() => parseTemplatedPolicyFile('Policy "x" {}')).toThrow('unexpected "Policy", expected TemplatedPolicy');
    expect(() => parseTemplatedPolicyFile('TemplatedPolicy "builtin/node" { Name = 7 }')).toThrow('Name: expected a string or a list');
    expect(() => parseTemplatedPolicyFile('TemplatedPolicy "builtin/node" { Datacenters = "dc1" }')).toThrow('builtin/node: Datacenters must be a list of strings');
  });

  it('reports an unreadable file with the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-'));
    try {
      const file = join(dir, 'ok.hcl');
      writeFileSync(file, 'TemplatedPolicy "builtin/node" { Name = "n1" }');
      expect(await extractTemplatedPolicies('builtin/dns', file, [])).toEqual([{ TemplateName: 'builtin/dns' }, { TemplateName: 'builtin/node', TemplateVariables: { Name: 'n1' } }]);
      await expect(extractTemplatedPolicies('', join(dir, 'missing.hcl'), [])).rejects.toThrow(/^Failed to read file: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends back a stored templated policy as the Go client does: no TemplateID, the variable as Name', () => {
    const stored = { TemplateID: 'x', TemplateName: 'builtin/service', TemplateVariables: { name: 'api' }, Datacenters: ['dc1'] } as never;
    expect(apiTemplated(stored)).toEqual({ TemplateName: 'builtin/service', TemplateVariables: { Name: 'api' }, Datacenters: ['dc1'] });
  });

  it('formats a template as Consul 1.17 does; one it has no text for says None', () => {
    expect(templatedPolicyLines({ TemplateName: 'builtin/nomad-server', Schema: '', Template: 'acl = "write"' })).toEqual(['Name:            builtin/nomad-server', 'Input variables:   None']);
    expect(templatedPolicyLines({ TemplateName: 'builtin/node', Schema: '{}', Template: 't' }, true)).toEqual([
      'Name:            builtin/node',
      'Input variables:',
      '\tName: String - Required - The node name.',
      'Example usage:',
      '\tconsul acl token create -templated-policy builtin/node -var name:node-1',
      'Schema:',
      '{}',
      '',
      'Raw Template:',
      't',
    ]);
  });
});
