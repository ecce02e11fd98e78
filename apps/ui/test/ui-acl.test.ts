/**
 * The UI in headless Chromium against an agent with ACLs on and default_policy = deny: it asks
 * for a token, shows nothing before one is given, keeps the token in localStorage (as Consul's
 * UI: `consul:token`), shows the data once a valid token is entered (and after a reload), and
 * says so when the token is unknown to the agent.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';

const IP = '127.0.72.30';
const MGMT = '7e1d2c3b-4a59-4687-9a1b-2c3d4e5f6071';
const dir = mkdtempSync(join(tmpdir(), 'ui-acl-'));
let agent: AgentProcess;
let browser: Browser;
let page: Page;
let readToken = '';
const pageErrors: string[] = [];

async function put(path: string, body: unknown): Promise<any> {
  const r = await fetch(`${agent.url}${path}`, { method: 'PUT', headers: { 'X-Consul-Token': MGMT }, body: JSON.stringify(body) });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

beforeAll(async () => {
  const cfg = join(dir, 'acl.json');
  writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
  agent = await startAgent({ ip: IP, httpPort: 8500, dnsPort: 8600, extraArgs: ['-log-level', 'warn', '-config-file', cfg] });
  await put('/v1/agent/service/register', { Name: 'web', ID: 'web-1', Port: 8080, Check: { TTL: '10m', Status: 'passing' } });
  await put('/v1/acl/policy', { Name: 'ui-read', Rules: 'service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }' });
  readToken = (await put('/v1/acl/token', { Description: 'ui', Policies: [{ Name: 'ui-read' }] })).SecretID;
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const row = (name: string) => page.locator(`[data-service="${name}"]`);

describe('the UI with ACLs (default deny)', () => {
  it('asks for a token and shows no services without one', async () => {
    await page.goto(`${agent.url}/ui/dc1/services`);
    await page.locator('[data-acl-prompt]').waitFor();
    expect(await page.locator('[data-acl-prompt]').textContent()).toContain('This agent has ACLs enabled and denies by default.');
    await page.locator('h1:text-is("Services")').waitFor();
    expect(await row('web').count()).toBe(0);
    await screenshot(page, 'acl-prompt');
  });

  it('says so when the token is not known to the agent', async () => {
    await page.fill('#acl-prompt-token', '00000000-aaaa-4bbb-8ccc-000000000000');
    await page.click('[data-acl-prompt] button[type=submit]');
    await expect.poll(() => page.locator('[role=alert]').first().textContent(), { timeout: 10_000 }).toContain('ACL not found (403)');
    expect(await row('web').count()).toBe(0);
  });

  it('shows the data once a valid token is entered, and keeps it in the browser', async () => {
    await page.goto(`${agent.url}/ui/dc1/token`);
    await page.fill('#token', readToken);
    await page.click('[data-save]');
    await page.click('nav a:text-is("Services")');
    await row('web').waitFor();
    expect(await page.locator('[data-acl-prompt]').count()).toBe(0);
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('consul:token'))) ?? 'null')).toEqual({ AccessorID: null, SecretID: readToken });
    await page.reload();
    await row('web').waitFor();
    await page.click('nav a:text-is("Nodes")');
    await page.locator('text=test-127-0-72-30').first().waitFor();
    expect(pageErrors).toEqual([]);
  });
});
