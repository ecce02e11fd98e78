// The dynamic-scaling demo on a real Docker engine: deploy/compose.yml with the agent, the
// registrator, nginx kept in step by proconsul-template, and the web demo. Scaling `web` with
// docker-compose must reach nginx, the health API and DNS with nothing edited by hand.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backends, digA, passingAddresses, repoRoot, requireDocker, run, sample, Stack, waitFor } from './stack.js';

const stack = new Stack();
let failed = false;

/** The web containers' addresses, sorted; `count` of them must be running. */
async function webIPs(count: number): Promise<string[]> {
  const containers = await waitFor(`${count} running web containers`, () => stack.containers('web'), (c) => c.length === count && c.every((x) => x.ip !== ''), 30_000);
  return containers.map((c) => c.ip).sort();
}

/** Waits until requests through nginx are all answered 200 by exactly `ips`. */
async function expectTrafficOn(ips: string[]): Promise<void> {
  const answers = await waitFor(`nginx to spread over ${ips.join(', ')}`, () => sample(ips.length * 4), (a) => a.every((x) => x.status === 200) && backends(a).join() === ips.join(), 30_000);
  expect(backends(answers)).toEqual(ips);
  for (const answer of answers) expect(answer.body).toMatch(/^\d+ requests from \S+ to WebServer \S+\n$/);
}

/**
 * Docker check, images and `up -d`, once. Not a beforeAll: when it fails (no Docker engine),
 * every test fails with its message instead of being reported as skipped.
 */
let setup: Promise<void> | undefined;
let dockerAnswered = false;
function stackUp(): Promise<void> {
  setup ??= (async () => {
    await requireDocker();
    dockerAnswered = true;
    // Both are idempotent: the base image is built once; the images again from the current tree.
    await run('bash', [`${repoRoot}/deploy/base-image/build.sh`], { timeoutMs: 900_000 });
    await run('bash', [`${repoRoot}/deploy/build-images.sh`], { timeoutMs: 480_000 });
    await stack.compose(['up', '-d']);
  })();
  return setup;
}

describe('compose stack: scaling web is followed by the catalog, DNS and nginx', () => {
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    if (!dockerAnswered) return;
    if (failed) {
      const logs = await stack.compose(['logs', '--no-color', '--tail', '40']).catch((err: Error) => ({ stdout: err.message }));
      console.error(`logs of ${stack.project}:\n${logs.stdout}`);
    }
    await stack.destroy();
    const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${stack.project}`]);
    expect(stdout.trim(), 'containers left behind').toBe('');
  });

  // The first test also builds the images (the base image too when it is missing).
  it('serves the one web instance through nginx', { timeout: 1_500_000 }, async () => {
    await stackUp();
    const ips = await webIPs(1);
    await expectTrafficOn(ips);
  });

  it('scale web=3: nginx spreads requests over the three backends', async () => {
    await stackUp();
    await stack.compose(['up', '-d', '--scale', 'web=3']);
    const ips = await webIPs(3);
    expect(new Set(ips).size).toBe(3);
    await expectTrafficOn(ips);
  });

  it('scale web=3: the health API and DNS list the three instances', async () => {
    await stackUp();
    const ips = await webIPs(3);
    expect(await waitFor('3 passing web instances', () => passingAddresses('web'), (a) => a.join() === ips.join())).toEqual(ips);
    expect(await waitFor('3 A records over UDP', () => digA('web.service.consul'), (a) => a.join() === ips.join())).toEqual(ips);
    expect(await digA('web.service.consul', true)).toEqual(ips);
  });

  it('scale web=1: the removed backends leave nginx, the catalog and DNS', async () => {
    await stackUp();
    await stack.compose(['up', '-d', '--scale', 'web=1']);
    const ips = await webIPs(1);
    await expectTrafficOn(ips);
    expect(await waitFor('1 passing web instance', () => passingAddresses('web'), (a) => a.join() === ips.join())).toEqual(ips);
    expect(await digA('web.service.consul')).toEqual(ips);
  });

  it('a stopped web container leaves nginx (502 with none left) and comes back when started', async () => {
    await stackUp();
    const [web] = await stack.containers('web');
    expect(web).toBeDefined();
    await run('docker', ['stop', '-t', '5', web!.id]);
    expect(await waitFor('no passing web instance', () => passingAddresses('web'), (a) => a.length === 0)).toEqual([]);
    // The template's guard for zero instances: an upstream nothing listens on, so 502.
    const answers = await waitFor('nginx to answer 502', () => sample(3), (a) => a.every((x) => x.status === 502));
    expect(answers.map((a) => a.status)).toEqual([502, 502, 502]);

    await run('docker', ['start', web!.id]);
    const ips = await webIPs(1);
    await expectTrafficOn(ips);
    expect(await passingAddresses('web')).toEqual(ips);
  });
});
