/**
 * The datacenter switcher in headless Chromium against two real agents in two datacenters
 * joined over the WAN pool: the UI is served by dc1's agent, lists both datacenters, and
 * switching to dc2 shows dc2's services and KV (every read goes out with ?dc=dc2 and is
 * forwarded by dc1's server), switching back shows dc1's again.
 */
import { createClient } from '@proconsul/api/node';
import { startAgent, waitFor, type AgentProcess } from '@proconsul/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';

const DC1_IP = '127.0.73.31';
const DC2_IP = '127.0.74.31';
let dc1: AgentProcess;
let dc2: AgentProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const row = (name: string) => page.locator(`[data-service="${name}"]`);

beforeAll(async () => {
  [dc1, dc2] = await Promise.all([
    startAgent({ ip: DC1_IP, extraArgs: ['-log-level', 'warn', '-datacenter', 'dc1'] }),
    startAgent({ ip: DC2_IP, extraArgs: ['-log-level', 'warn', '-datacenter', 'dc2'] }),
  ]);
  const one = createClient({ address: dc1.httpAddr });
  const two = createClient({ address: dc2.httpAddr });
  await one.agent.join(DC2_IP, true);
  await waitFor(async () => (await one.catalog.datacenters()).length === 2, 'dc2 known to dc1');
  await one.agent.serviceRegister({ Name: 'only-in-dc1', Port: 1 });
  await two.agent.serviceRegister({ Name: 'only-in-dc2', Port: 2 });
  await two.kv.put('where', 'dc2');
  await waitFor(async () => Object.keys((await one.catalog.services({ datacenter: 'dc2' })).data).includes('only-in-dc2'), 'dc2 service through dc1');
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([dc1?.stop(), dc2?.stop()]);
});

describe('the datacenter switcher', () => {
  it('lists both datacenters and shows the chosen one through dc1', async () => {
    await page.goto(`${dc1.url}/ui/dc1/services`);
    await row('only-in-dc1').waitFor();
    const picker = page.getByLabel('Datacenter');
    await expect.poll(() => picker.locator('option').allTextContents(), { timeout: 40_000 }).toEqual(['dc1', 'dc2']);
    const dc2Reads: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('dc=dc2')) dc2Reads.push(r.url());
    });
    await picker.selectOption('dc2');
    await page.waitForURL(/\/ui\/dc2\/services$/);
    await row('only-in-dc2').waitFor();
    expect(await row('only-in-dc1').count()).toBe(0);
    expect(dc2Reads.some((u) => new URL(u).host === dc1.httpAddr)).toBe(true); // asked of dc1's agent
    await screenshot(page, 'services-dc2');

    // dc1 has no KV at all: the key listed is dc2's.
    await page.goto(`${dc1.url}/ui/dc2/kv/`);
    await expect.poll(() => page.locator('main').textContent(), { timeout: 10_000 }).toContain('where');

    await page.goto(`${dc1.url}/ui/dc2/services`);
    await page.getByLabel('Datacenter').selectOption('dc1');
    await page.waitForURL(/\/ui\/dc1\/services$/);
    await row('only-in-dc1').waitFor();
    expect(await row('only-in-dc2').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
