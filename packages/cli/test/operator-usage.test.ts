/**
 * `proconsul operator usage instances` against a real -dev agent (127.0.107.10): Consul's
 * tables (text/tabwriter, padding 6), -billable, -connect, -all-datacenters and the usage errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { runCli, type CliResult } from './run-cli.js';

let agent: AgentProcess;
const cli = (args: string[]): Promise<CliResult> => runCli(['operator', 'usage', 'instances', ...args], { addr: agent.httpAddr });

async function register(body: unknown): Promise<void> {
  const r = await fetch(`${agent.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify(body) });
  expect(r.status).toBe(200);
}

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.107.10' });
  // With the agent's own `consul`: 5 services, 3 billable instances, 1 proxy and 1 gateway.
  await register({ Node: 'n1', Address: '10.1.0.1', Service: { ID: 'web1', Service: 'web', Port: 80 } });
  await register({ Node: 'n1', Address: '10.1.0.1', Service: { ID: 'web2', Service: 'web', Port: 81 } });
  await register({ Node: 'n2', Address: '10.1.0.2', Service: { Service: 'db', Port: 5432 } });
  await register({ Node: 'n1', Address: '10.1.0.1', Service: { Service: 'web-sidecar-proxy', Kind: 'connect-proxy', Port: 21000, Proxy: { DestinationServiceName: 'web' } } });
  await register({ Node: 'n3', Address: '10.1.0.3', Service: { Service: 'ig', Kind: 'ingress-gateway', Port: 8080 } });
}, 40_000);
afterAll(async () => {
  await agent?.stop();
});

// The Type column: its widest cell (terminating-gateway, 19) plus the padding of 6.
const CONNECT_ROWS = [
  'api-gateway              0',
  'connect-native           0',
  'connect-proxy            1',
  'ingress-gateway          1',
  'mesh-gateway             0',
  'terminating-gateway      0',
];

describe('proconsul operator usage instances', () => {
  it('prints the billable and the Connect tables of this datacenter', async () => {
    const r = await cli([]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Billable Service Instances Total: 3',
        'dc1 Billable Service Instances: 3',
        '',
        'Billable Services',
        'Services      Service instances',
        '5             3',
        '',
        'Connect Services',
        'Type                     Service instances',
        ...CONNECT_ROWS,
        '',
      ].join('\n'),
    );
  });

  it('-billable and -connect print one table each', async () => {
    expect(await cli(['-billable'])).toEqual({
      code: 0,
      stderr: '',
      stdout: 'Billable Service Instances Total: 3\ndc1 Billable Service Instances: 3\n\nBillable Services\nServices      Service instances\n5             3\n\n',
    });
    expect(await cli(['-connect'])).toEqual({ code: 0, stderr: '', stdout: ['Connect Services', 'Type                     Service instances', ...CONNECT_ROWS, ''].join('\n') });
  });

  it('-all-datacenters adds the Datacenter column and the Total lines', async () => {
    const r = await cli(['-all-datacenters']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'Billable Service Instances Total: 3',
        'dc1 Billable Service Instances: 3',
        '',
        'Billable Services',
        'Datacenter      Services      Service instances',
        'dc1             5             3',
        ' '.repeat(30),
        'Total           5             3',
        '',
        'Connect Services',
        'Datacenter      Type                     Service instances',
        ...CONNECT_ROWS.map((row) => `dc1             ${row}`),
        ' '.repeat(41),
        'Total                                    2',
        '',
      ].join('\n'),
    );
  });

  it('refuses arguments and both filters with one line and exit 1; an unreachable agent likewise', async () => {
    expect(await cli(['extra'])).toEqual({ code: 1, stdout: '', stderr: 'Too many arguments (expected 0, got 1)\n' });
    expect(await cli(['-billable', '-connect'])).toEqual({ code: 1, stdout: '', stderr: 'Cannot specify both -billable and -connect flags\n' });
    const down = await runCli(['operator', 'usage', 'instances'], { addr: '127.0.107.11:1' });
    expect(down.code).toBe(1);
    expect(down.stdout).toBe('');
    expect(down.stderr).toMatch(/^Error fetching usage information: .+\n$/);
  });
});
