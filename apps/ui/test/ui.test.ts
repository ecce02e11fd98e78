/**
 * The UI in Debian's headless Chromium against a real agent process serving the built files:
 * services and health, live updates through blocking queries, nodes, KV round trip and CAS
 * conflicts, cluster, token, deep links, keyboard, phone width, agent loss and recovery.
 * Screenshots of each view (light and dark) go to screenshots/.
 */
import { kvValueText } from '@proconsul/api';
import { createClient, type Consul } from '@proconsul/api/node';
import { startAgent, waitFor, type AgentProcess } from '@proconsul/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';

const IP = '127.0.9.10';
let agent: AgentProcess;
let consul: Consul;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

async function registerDemo(): Promise<void> {
  await consul.agent.serviceRegister({
    Name: 'web',
    ID: 'web-1',
    Port: 8080,
    Tags: ['v1', 'http'],
    Meta: { version: '1.2.0' },
    // Starts critical (Consul's default): the pass below changes the status, so its output reaches
    // the catalog at once; an output-only change would wait for check_update_interval (5 min), as in Consul.
    Check: { CheckID: 'web-1-ttl', Name: 'web-1 heartbeat', TTL: '10m' },
  });
  await consul.agent.serviceRegister({ Name: 'web', ID: 'web-2', Port: 8081, Tags: ['v2'], Check: { CheckID: 'web-2-ttl', Name: 'web-2 heartbeat', TTL: '10m', Status: 'passing' } });
  await consul.agent.serviceRegister({ Name: 'db', ID: 'db-1', Port: 5432, Tags: ['primary'], Check: { CheckID: 'db-ttl', Name: 'db heartbeat', TTL: '10m', Status: 'warning' } });
  await consul.agent.updateTTL('web-1-ttl', 'HTTP GET /health: 200 OK', 'passing');
}

const row = (name: string) => page.locator(`[data-service="${name}"]`);

beforeAll(async () => {
  agent = await startAgent({ ip: IP, httpPort: 8500, dnsPort: 8600, extraArgs: ['-log-level', 'warn'] });
  consul = createClient({ address: agent.httpAddr });
  await registerDemo();
  await consul.kv.put('config/web/replicas', '3');
  await consul.kv.put('config/web/settings', '{"pool":{"size":10},"hosts":["a","b"]}');
  browser = await launchBrowser();
  ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
});

describe('services', () => {
  it('redirects / to the services view and lists services with their health', async () => {
    const started = Date.now();
    await page.goto(`${agent.url}/`);
    await row('web').locator('.badge').waitFor();
    console.log(`first view (/ -> /ui/dc1/services with health) rendered in ${Date.now() - started} ms`);
    expect(new URL(page.url()).pathname).toBe('/ui/dc1/services');
    await expect.poll(() => row('web').getAttribute('data-status')).toBe('passing');
    expect(await row('web').locator('.instances').textContent()).toBe('2 instances');
    expect(await row('db').getAttribute('data-status')).toBe('warning');
    expect(await row('db').locator('[data-tally]').getAttribute('data-tally')).toBe('1/1/0'); // serfHealth + db check
    expect(await row('consul').count()).toBe(1);
    expect(await row('web').locator('.tag').allTextContents()).toEqual(['v1', 'http', 'v2']);
    expect(pageErrors).toEqual([]);
    await screenshot(page, 'services-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'services-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('turns a service critical in the open page when its TTL check fails (blocking queries, no reload)', async () => {
    await page.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 1));
    await consul.agent.failTTL('web-2-ttl', 'connection refused');
    await expect.poll(() => row('web').getAttribute('data-status'), { timeout: 10_000, interval: 100 }).toBe('critical');
    expect(await page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(1);
    await consul.agent.passTTL('web-2-ttl', 'back');
    await expect.poll(() => row('web').getAttribute('data-status'), { timeout: 10_000, interval: 100 }).toBe('passing');
  });

  it('filters by search text and tag, keeping both in the URL', async () => {
    await page.fill('input[data-search]', 'we');
    await expect.poll(() => page.locator('[data-service]').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('filter')).toBe('we');
    await page.fill('input[data-search]', '');
    await page.selectOption('select[aria-label="Filter by tag"]', 'primary');
    await expect.poll(() => page.locator('[data-service]').evaluateAll((els) => els.map((e) => e.getAttribute('data-service')))).toEqual(['db']);
    expect(new URL(page.url()).searchParams.get('tag')).toBe('primary');
    await page.goto(`${agent.url}/ui/dc1/services`);
  });

  it("shows a service's instances with node, address:port, tags, meta and check output", async () => {
    await consul.agent.warnTTL('web-2-ttl', 'slow responses: p99 900ms');
    await row('web').locator('a').click();
    await page.locator('[data-instance="web-1"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/ui/dc1/services/web');
    const web1 = page.locator('[data-instance="web-1"]');
    expect(await web1.locator('.facts').textContent()).toContain(`${IP}:8080`);
    expect(await web1.locator('.tag').allTextContents()).toEqual(['v1', 'http']);
    expect(await web1.locator('dl[aria-label="Service meta"]').textContent()).toContain('1.2.0');
    expect(await web1.locator('[data-check-id="web-1-ttl"] .output').textContent()).toBe('HTTP GET /health: 200 OK');
    const web2 = page.locator('[data-instance="web-2"]');
    await expect.poll(() => web2.getAttribute('data-status')).toBe('warning');
    expect(await web2.locator('[data-check-id="web-2-ttl"] .output').textContent()).toBe('slow responses: p99 900ms');
    expect(await web1.locator('a[href="/ui/dc1/nodes/' + (await consul.agent.nodeName()) + '"]').count()).toBe(1);
    await screenshot(page, 'service-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'service-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('serves a deep link on reload', async () => {
    await page.reload();
    await page.locator('[data-instance="web-2"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/ui/dc1/services/web');
    await page.goto(`${agent.url}/ui/dc1/kv/config/web/settings/edit`);
    await page.locator('textarea#kv-value').waitFor();
    expect(await page.inputValue('textarea#kv-value')).toBe('{"pool":{"size":10},"hosts":["a","b"]}');
  });

  it('lists services named like Object.prototype members with their health', async () => {
    const names = ['__proto__', 'constructor'];
    for (const name of names) {
      await consul.agent.serviceRegister({ Name: name, ID: `${name}-1`, Port: 1, Check: { CheckID: `${name}-ttl`, Name: 'ttl', TTL: '10m', Status: 'warning' } });
    }
    try {
      await page.goto(`${agent.url}/ui/dc1/services`);
      for (const name of names) {
        await expect.poll(() => row(name).getAttribute('data-status')).toBe('warning');
        expect(await row(name).locator('.instances').textContent()).toBe('1 instance');
      }
      expect(pageErrors).toEqual([]);
    } finally {
      for (const name of names) await consul.agent.serviceDeregister(`${name}-1`);
    }
  });
});

describe('nodes', () => {
  it('lists nodes with address, health and services; a node shows its checks', async () => {
    const node = await consul.agent.nodeName();
    await page.goto(`${agent.url}/ui/dc1/nodes`);
    const r = page.locator(`[data-node="${node}"]`);
    await r.waitFor();
    expect(await r.textContent()).toContain(IP);
    expect(await r.getAttribute('data-status')).toBe('passing');
    await expect.poll(() => r.locator('.row-services').textContent()).toBe('consul, db, web');
    await screenshot(page, 'nodes-light');
    await r.locator('a').click();
    await page.locator('[data-check-id="serfHealth"]').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/ui/dc1/nodes/${node}`);
    expect(await page.locator('[data-instance="web-1"]').count()).toBe(1);
    expect(await page.locator('[data-check-id="db-ttl"]').count()).toBe(1);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'node-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

describe('key/value', () => {
  it('creates, edits and deletes a key (round trip with the API)', async () => {
    await page.goto(`${agent.url}/ui/dc1/kv/`);
    await page.locator('[data-key="config/"]').waitFor();
    await screenshot(page, 'kv-light');
    await page.click('[data-create]');
    await page.fill('#kv-name', 'ui-test/greeting');
    await page.fill('#kv-value', 'hello');
    await page.click('[data-save]');
    await page.locator('[data-key="ui-test/"]').waitFor();
    const created = (await consul.kv.get('ui-test/greeting')).data;
    expect(created && kvValueText(created)).toBe('hello');

    await page.click('[data-key="ui-test/"] a');
    await page.click('[data-key="ui-test/greeting"] a');
    await page.locator('textarea#kv-value').waitFor();
    expect(await page.inputValue('#kv-value')).toBe('hello');
    await page.fill('#kv-value', '{"greeting":"bonjour"}');
    await page.click('[data-save]');
    await page.locator('[data-saved]').waitFor();
    const edited = (await consul.kv.get('ui-test/greeting')).data;
    expect(edited && kvValueText(edited)).toBe('{"greeting":"bonjour"}');
    await page.click('button:text-is("JSON")');
    expect(await page.locator('.json-view').textContent()).toBe('{\n  "greeting": "bonjour"\n}');
    await screenshot(page, 'kv-edit-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'kv-edit-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.click('[data-delete]');
    await page.click('dialog[open] [data-confirm]');
    await page.waitForURL(`${agent.url}/ui/dc1/kv/ui-test/`);
    expect((await consul.kv.get('ui-test/greeting')).data).toBeNull();
  });

  it('deletes a folder only after confirmation', async () => {
    await consul.kv.put('tree/a', '1');
    await consul.kv.put('tree/sub/b', '2');
    await page.goto(`${agent.url}/ui/dc1/kv/tree/`);
    await page.locator('[data-key="tree/sub/"]').waitFor();
    await page.click('[data-delete-folder]');
    const dialog = page.locator('dialog[open]');
    expect(await dialog.textContent()).toContain('every key under it');
    await dialog.locator('button:text-is("Cancel")').click();
    expect((await consul.kv.keys('tree/')).data).toEqual(['tree/a', 'tree/sub/b']);
    await page.click('[data-delete-folder]');
    await screenshot(page, 'kv-delete-folder-light');
    await page.click('dialog[open] [data-confirm]');
    await page.waitForURL(`${agent.url}/ui/dc1/kv/`);
    expect((await consul.kv.keys('tree/')).data).toEqual([]);
  });

  it('reports a CAS conflict when the key changed while the edit form was open', async () => {
    await consul.kv.put('cas/key', 'original');
    await page.goto(`${agent.url}/ui/dc1/kv/cas/key/edit`);
    await page.locator('textarea#kv-value').waitFor();
    expect(await page.inputValue('#kv-value')).toBe('original');
    await page.fill('#kv-value', 'mine');
    await consul.kv.put('cas/key', 'theirs');
    await page.click('[data-save]');
    const conflict = page.locator('[data-conflict]');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('changed by someone else');
    expect(await page.inputValue('#kv-value')).toBe('mine'); // the user's text is kept
    let stored = (await consul.kv.get('cas/key')).data;
    expect(stored && kvValueText(stored)).toBe('theirs'); // and nothing was overwritten
    await screenshot(page, 'kv-conflict-light');
    await page.click('[data-overwrite]');
    await page.locator('[data-saved]').waitFor();
    stored = (await consul.kv.get('cas/key')).data;
    expect(stored && kvValueText(stored)).toBe('mine');
  });
});

describe('cluster, token, keyboard, phone', () => {
  it('shows the leader, Raft peers or a clear "not available", and gossip members', async () => {
    await page.goto(`${agent.url}/ui/dc1/cluster`);
    await page.locator('[data-leader]').waitFor();
    expect(await page.locator('[data-leader]').textContent()).toBe(await consul.status.leader());
    const node = await consul.agent.nodeName();
    await page.locator(`[data-member="${node}"]`).waitFor();
    expect(await page.locator(`[data-member="${node}"] [data-status]`).textContent()).toBe('alive');
    await page.locator('[data-raft-unavailable], table[aria-label="Raft peers"]').first().waitFor();
    if (await page.locator('[data-raft-unavailable]').count()) {
      expect(await page.locator('[data-raft-unavailable]').textContent()).toContain('not available');
    } else {
      expect(await page.locator(`[data-peer="${node}"]`).textContent()).toContain('leader');
    }
    await screenshot(page, 'cluster-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'cluster-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('offers a datacenter picker when the agent lists more than one datacenter', async () => {
    // The single -dev agent knows one datacenter; only its /v1/catalog/datacenters answer is
    // replaced here, every other request still goes to the real agent.
    const p = await ctx.newPage();
    try {
      await p.route('**/v1/catalog/datacenters*', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: '["dc1","dc2"]' }));
      await p.goto(`${agent.url}/ui/dc1/services`);
      const picker = p.locator('select[aria-label="Datacenter"]');
      await picker.waitFor();
      expect(await picker.locator('option').allTextContents()).toEqual(['dc1', 'dc2']);
      const request = p.waitForRequest((r) => r.url().includes('/v1/catalog/services') && r.url().includes('dc=dc2'));
      await picker.selectOption('dc2');
      await p.waitForURL(`${agent.url}/ui/dc2/services`);
      await request;
      // The agent has no path to dc2: the view says so instead of showing dc1's data.
      await p.locator('.note-error').first().waitFor();
      expect(await p.locator('[data-service]').count()).toBe(0);
      await screenshot(p, 'dc-picker-light');
    } finally {
      await p.close();
    }
  });

  it('stores the token in localStorage and sends it as X-Consul-Token', async () => {
    await page.goto(`${agent.url}/ui/dc1/token`);
    await page.fill('#token', 'secret-token-123');
    await page.click('[data-save]');
    // As Consul's UI keeps it.
    expect(await page.evaluate(() => localStorage.getItem('consul:token'))).toBe('{"AccessorID":null,"SecretID":"secret-token-123"}');
    const request = page.waitForRequest((r) => r.url().includes('/v1/catalog/services'));
    await page.click('nav a:text-is("Services")');
    expect((await request).headers()['x-consul-token']).toBe('secret-token-123');
    await page.goto(`${agent.url}/ui/dc1/token`);
    await page.click('button:text-is("Clear")');
    expect(await page.evaluate(() => localStorage.getItem('consul:token'))).toBeNull();
  });

  it('navigates with the keyboard', async () => {
    await page.goto(`${agent.url}/ui/dc1/services`);
    await row('web').waitFor();
    await page.keyboard.press('g');
    await page.keyboard.press('n');
    await page.waitForURL(`${agent.url}/ui/dc1/nodes`);
    await page.keyboard.press('g');
    await page.keyboard.press('s');
    await page.waitForURL(`${agent.url}/ui/dc1/services`);
    await row('web').waitFor();
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-search'))).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('j');
    expect(await page.evaluate(() => (document.activeElement as HTMLAnchorElement | null)?.pathname)).toBe('/ui/dc1/services/consul');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${agent.url}/ui/dc1/services/db`);
  });

  it('fits a phone-width screen without sideways scrolling', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      for (const [path, ready, name] of [
        ['/ui/dc1/services', '[data-service="web"] .badge', 'phone-services'],
        ['/ui/dc1/services/web', '[data-instance="web-1"]', 'phone-service'],
        ['/ui/dc1/kv/config/web/settings/edit', 'textarea#kv-value', 'phone-kv'],
      ] as const) {
        const p = await phone.newPage();
        await p.goto(`${agent.url}${path}`);
        await p.locator(ready).waitFor();
        expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
        await screenshot(p, name);
        await p.close();
      }
    } finally {
      await phone.close();
    }
  });
});

describe('agent loss', () => {
  it('shows a lost agent and recovers when it returns, without a reload', async () => {
    await page.goto(`${agent.url}/ui/dc1/services`);
    await row('web').waitFor();
    await page.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 1));
    await agent.stop();
    const banner = page.locator('[data-agent-lost]');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain('Agent unreachable');
    await screenshot(page, 'agent-lost-light');
    await agent.restart();
    await consul.agent.serviceRegister({ Name: 'after-restart', Port: 9000 });
    await banner.waitFor({ state: 'detached', timeout: 15_000 });
    await row('after-restart').waitFor({ timeout: 15_000 });
    await waitFor(async () => (await row('web').count()) === 0, 'web to be gone from the fresh -dev agent', 10_000, 100);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
