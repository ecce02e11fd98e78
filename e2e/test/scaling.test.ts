// The dynamic-scaling stack on a real Docker engine, brought up by `npm start` (this test's
// project name and non-default ports): scaling `web` with compose must reach nginx, the health
// API and DNS with nothing edited by hand, and scaling under load must not fail a request.
import { readFileSync } from 'node:fs';
import { topology } from '../../deploy/stack.mjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  backends, digA, digSRV, passingAddresses, repoRoot, run, sample, Stack, startLoad, timeToServe, waitFor,
} from './stack.js';

const stack = new Stack();
let failed = false;
/** Figures printed at the end (docs/PERFORMANCE.md records them). */
const figures: string[] = [];

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

/** `compose up -d --scale web=n`, then the time until nginx answers from n distinct backends. */
async function scaleAndServe(n: number): Promise<number> {
  await stack.compose(['up', '-d', '--no-build', '--scale', `web=${n}`]);
  return timeToServe(n);
}

function stackUp(): Promise<void> {
  return stack.upOnce().then((ms) => {
    if (!figures.some((f) => f.startsWith('first npm start'))) figures.push(`first npm start ${(ms / 1000).toFixed(1)} s`);
  });
}

describe('compose stack: scaling web is followed by the catalog, DNS and nginx', () => {
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    console.log(`e2e figures (${stack.project}): ${figures.join('; ')}`);
    await stack.teardown(failed);
  });

  // The first test also builds the images (the base image too when it is missing).
  it('npm start brings the stack up: the one web instance answers through nginx', { timeout: 1_500_000 }, async () => {
    await stackUp();
    const ips = await webIPs(1);
    await expectTrafficOn(ips);
  });

  it('a second npm start builds nothing and is up in seconds', { timeout: 120_000 }, async () => {
    await stackUp();
    const { stdout, ms } = await stack.start(120_000);
    figures.push(`warm npm start ${(ms / 1000).toFixed(1)} s`);
    expect(stdout.match(/^proconsul\/\S+ is up to date/gm)).toHaveLength(4);
    expect(stdout).not.toMatch(/^built /m);
    expect(stdout).toContain(`Proconsul is up`);
    expect(ms).toBeLessThan(60_000);
  });

  it('scale web=3: nginx spreads requests over the three backends', async () => {
    await stackUp();
    const ms = await scaleAndServe(3);
    figures.push(`scale 1->3: third backend served ${ms} ms after compose returned`);
    const ips = await webIPs(3);
    expect(new Set(ips).size).toBe(3);
    await expectTrafficOn(ips);
  });

  it('scale web=3: the health API and DNS (A and SRV) list exactly the three instances', async () => {
    await stackUp();
    const ips = await webIPs(3);
    expect(await waitFor('3 passing web instances', () => passingAddresses('web'), (a) => a.join() === ips.join())).toEqual(ips);
    expect(await waitFor('3 A records over UDP', () => digA('web.service.consul'), (a) => a.join() === ips.join())).toEqual(ips);
    expect(await digA('web.service.consul', true)).toEqual(ips);
    expect(await digSRV('web.service.consul')).toEqual(ips.map((ip) => `${ip}:80`));
  });

  it('scale 3 -> 1 -> 3 under a steady load: not one request fails', { timeout: 240_000 }, async () => {
    await stackUp();
    await webIPs(3);
    const load = startLoad({ workers: 4, pauseMs: 20 });
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      await stack.compose(['up', '-d', '--no-build', '--scale', 'web=1']);
      const one = await webIPs(1);
      await waitFor('nginx on the one backend', () => sample(4), (a) => backends(a).join() === one.join(), 30_000);
      const ms = await scaleAndServe(3);
      figures.push(`scale 1->3 under load: third backend served ${ms} ms after compose returned`);
      await new Promise((r) => setTimeout(r, 1_000));
    } finally {
      const r = await load.stop();
      figures.push(`3->1->3 under load: ${r.total} requests, ${r.failed} failed, slowest ${r.slowestMs} ms`);
      expect(r.total).toBeGreaterThan(100);
      expect(r.failures).toEqual([]);
      expect(r.failed).toBe(0);
    }
    const ips = await webIPs(3);
    expect(await waitFor('SRV of the three live backends', () => digSRV('web.service.consul'), (a) => a.join() === ips.map((ip) => `${ip}:80`).join())).toHaveLength(3);
  });

  it('scale web=1: the removed backends leave nginx, the catalog and DNS', async () => {
    await stackUp();
    await stack.compose(['up', '-d', '--no-build', '--scale', 'web=1']);
    const ips = await webIPs(1);
    await expectTrafficOn(ips);
    expect(await waitFor('1 passing web instance', () => passingAddresses('web'), (a) => a.join() === ips.join())).toEqual(ips);
    expect(await digA('web.service.consul')).toEqual(ips);
    expect(await digSRV('web.service.consul')).toEqual([`${ips[0]}:80`]);
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

  it('restarting the agent the registrator and the lb talk to: both recover by themselves, nothing lost', { timeout: 240_000 }, async () => {
    await stackUp();
    // The client agent in the cluster topology, the one server otherwise.
    const agent = topology() === 'cluster' ? 'client' : 'agent';
    const before = await passingAddresses('web');
    await stack.compose(['restart', '-t', '5', agent]);
    expect(await waitFor(`web passing again through ${agent}`, () => passingAddresses('web'), (a) => a.join() === before.join(), 60_000)).toEqual(before);
    const answers = await waitFor('nginx serving web', () => sample(4), (a) => a.every((x) => x.status === 200));
    expect(backends(answers)).toEqual(before);
    // The lb's blocking query follows new changes after the restart: a new instance shows up.
    await stack.compose(['up', '-d', '--no-build', '--scale', 'web=2']);
    const two = await waitFor('2 passing web instances', () => passingAddresses('web'), (a) => a.length === 2);
    expect(backends(await waitFor('nginx on both', () => sample(8), (a) => backends(a).length === 2))).toEqual(two);
  });

  it('the lb in nginx-conf mode keeps a plain nginx.conf in step: only its upstream server lines change', async () => {
    await stackUp();
    const mode = { PROCONSUL_LB_MODE: 'nginx-conf' };
    await stack.compose(['up', '-d', '--no-build', '--scale', 'web=2', 'lb', 'web'], 120_000, mode);
    const ips = await webIPs(2);
    await expectTrafficOn(ips);
    const [lb] = await stack.containers('lb');
    const conf = (await run('docker', ['exec', lb!.id, 'cat', '/etc/nginx/nginx.conf'])).stdout;
    const written = readFileSync(`${repoRoot}/deploy/lb/nginx.handwritten.conf`, 'utf8');
    expect(conf).toBe(written.replace('    server 127.0.0.1:65535;\n', ips.map((ip) => `    server ${ip}:80;\n`).join('')));
    // Back to the tutorials' template for whatever runs next.
    await stack.compose(['up', '-d', '--no-build', '--scale', 'web=2', 'lb']);
    await expectTrafficOn(ips);
  });
});
