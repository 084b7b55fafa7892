import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually } from '@mmon/test-support';
import { readAuthConfig } from '../../api/src/config';
import { PASSWORDS, writeUsersFile } from '../../api/test/authSupport';
import { launchChromium } from './support/browser';
import { demoStreams, stream, systemSample, writeStreams, writeSystem } from './support/fixtures';
import { startNginx, type RunningNginx } from './support/nginx';
import { PUBLIC_DIR, startStack, type Stack } from './support/stack';

/** The dashboard in real Chromium against the real api with users configured (MONITOR_USERS_FILE). */
describe('dashboard sign-in', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let sockets: string[];

  const row = (name: string) => page.locator(`#stream-list .rows .row[data-name="${name}"]`);

  async function open(url = stack.base): Promise<void> {
    // one context per test: its own cookie jar, shared by its tabs
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      // Chromium reports each 401 answer as a failed resource: that is the api saying "sign in", not a fault
      if (msg.type() === 'error' && !/status of 401/.test(msg.text())) errors.push(msg.text());
    });
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(url);
  }

  async function signIn(user: string, password: string): Promise<void> {
    await page.locator('#login-user').fill(user);
    await page.locator('#login-password').fill(password);
    await page.locator('#login-form button[type=submit]').click();
  }

  beforeAll(async () => {
    stack = await startStack(readAuthConfig({ MONITOR_USERS_FILE: await writeUsersFile() }));
    await writeStreams(stack.redis, demoStreams());
    await writeSystem(stack.redis, systemSample());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  beforeEach(() => {
    errors = [];
    sockets = [];
  });
  afterEach(async () => {
    await context?.close();
    expect(errors).toEqual([]);
  });

  test('shows the form and no data until signed in; a wrong password says so; the right one brings live data; logout brings the form back', async () => {
    await open();
    const form = page.locator('#login-form');
    await eventually(async () => expect(await form.isVisible()).toBe(true));
    expect(await page.locator('#login-user').evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await row('lobby').count()).toBe(0);
    expect(sockets).toEqual([]); // nothing asked for before signing in

    await signIn('bob', 'not-his-password');
    await eventually(async () => expect(await page.locator('#login-error').textContent()).toBe('Wrong user or password.'));
    expect(await page.locator('#login-password').inputValue()).toBe('');
    expect(await form.isVisible()).toBe(true);
    expect(await row('lobby').count()).toBe(0);

    await signIn('bob', PASSWORDS.bob);
    await eventually(async () => expect(await form.count()).toBe(0));
    await eventually(async () => expect(await row('lobby').isVisible()).toBe(true));
    await eventually(async () => expect(await page.locator('#feed-state').textContent()).toBe('Live'));
    expect(await page.locator('#user-box').innerText()).toMatch(/bob · viewer\s+Log out/);

    // live: a stream that appears now shows up without a reload
    await writeStreams(stack.redis, [...demoStreams(), stream('node-b', 'late/arrival')]);
    await eventually(async () => expect(await row('late/arrival').isVisible()).toBe(true));

    // a viewer sees the publisher's address masked
    await row('cam/studio-a').click();
    const source = page.locator('#detail .detail .conn').first();
    await eventually(async () => expect(await source.locator('.kv-item').allInnerTexts()).toContain('Remote address\n127.0.0.0:40123'));

    // nothing of the session is where script can read it
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie])).toEqual([0, 0, '']);
    expect((await context.cookies()).map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([['mmon_session', true, 'Strict']]);

    await page.locator('#logout').click();
    await eventually(async () => expect(await page.locator('#login-form').isVisible()).toBe(true));
    expect(await page.locator('#user-box').count()).toBe(0);
    expect(await row('lobby').count()).toBe(0);
    expect(await page.evaluate(async () => (await fetch('api/me')).status)).toBe(401);
    await writeStreams(stack.redis, demoStreams());
  });

  test('an admin signs in with Enter and sees whole addresses; logging out in another tab brings the form back here too', async () => {
    await open();
    await page.locator('#login-user').fill('alice');
    await page.locator('#login-password').fill(PASSWORDS.alice);
    await page.locator('#login-password').press('Enter');
    await eventually(async () => expect(await row('cam/studio-a').isVisible()).toBe(true));
    expect(await page.locator('#user-box').innerText()).toMatch(/alice · admin/);
    await row('cam/studio-a').click();
    const source = page.locator('#detail .detail .conn').first();
    await eventually(async () => expect(await source.locator('.kv-item').allInnerTexts()).toContain('Remote address\n127.0.0.1:40123'));

    // logging out in another tab ends this page's session too: its socket is closed, and the page asks to sign in again by itself
    const other = await context.newPage();
    await other.goto(stack.base);
    await other.locator('#logout').click();
    await eventually(async () => expect(await other.locator('#login-form').isVisible()).toBe(true));
    await eventually(async () => expect(await page.locator('#login-form').isVisible()).toBe(true));
    expect(await row('cam/studio-a').count()).toBe(0);
    await other.close();
  });

  test('through nginx (the Compose setup): sign in, live data, the same-origin check passes, logout', async () => {
    // the api sees nginx's address and its Host header (without the port); the browser's own headers decide
    const nginx: RunningNginx = await startNginx({ apiUpstream: stack.base, root: PUBLIC_DIR });
    try {
      await open(`http://127.0.0.1:${nginx.port}`);
      await eventually(async () => expect(await page.locator('#login-form').isVisible()).toBe(true));
      await signIn('alice', PASSWORDS.alice);
      await eventually(async () => expect(await row('lobby').isVisible()).toBe(true));
      await eventually(async () => expect(await page.locator('#feed-state').textContent()).toBe('Live'));
      expect(sockets).toEqual([`ws://127.0.0.1:${nginx.port}/api/ws`]);
      await page.locator('#logout').click();
      await eventually(async () => expect(await page.locator('#login-form').isVisible()).toBe(true));
    } finally {
      await context.close();
      await nginx.stop();
    }
  });
});
