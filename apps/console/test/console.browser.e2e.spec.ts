import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, waitUntilReady, type RunningSystem } from '@sms-survey/system-tests';

// The console in a real browser (Debian's Chromium through playwright-core) against the real system: the gateway
// serving the console's fresh Vite build under /console, the orchestrator, dispatcher and insights-sync on the real
// Kafka broker and PostgreSQL, and the Twilio simulator. Sign in, build a survey in the form, see the server's
// validation message next to its field and the preview flip to UCS-2 on an emoji, save, try it on the phone view
// to the end, and find the session in the results.

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const API_KEY = 'console-test-api-key';
const TEST_NUMBER = '+4791234567';
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS_DIR ?? join(repoRoot, '.local', 'screenshots', 'console');

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`SKIPPED: the console's browser test needs Debian's chromium at ${CHROMIUM} (apt-get install -y chromium; scripts/test.sh installs it when apt is available)`);
}

/** The console built with Vite's JS API into a folder of its own, as `vite build` would (production mode). */
async function buildConsole(outDir: string): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(here, '..', 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

describe.skipIf(!haveChromium)('survey console, in Chromium, against the real system', () => {
  let system: RunningSystem;
  let context: BrowserContext;
  let page: Page;
  const cleanups: (() => Promise<unknown>)[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'console-build-'));
    cleanups.push(() => rm(outDir, { recursive: true, force: true }));
    const userDataDir = await mkdtemp(join(tmpdir(), 'console-chromium-'));
    cleanups.push(() => rm(userDataDir, { recursive: true, force: true }));
    await mkdir(SCREENSHOTS, { recursive: true });
    // Built first: the gateway looks for the build when it starts.
    await buildConsole(outDir);
    system = await startSystem({ API_KEYS: API_KEY, CONSOLE_DIR: outDir });
    cleanups.push(() => system.stop());
    await waitUntilReady(system);
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1400, height: 1000 } });
    cleanups.push(() => context.close());
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      // The browser logs every 4xx it was answered (the wrong key, the invalid save, no favicon); those are expected.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });

  afterAll(async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
  });

  const text = async (selector: string) => (await page.locator(selector).first().textContent()) ?? '';
  const waitForText = (selector: string, expected: string, timeout = 15_000) =>
    page.waitForFunction(
      ([s, t]) => [...document.querySelectorAll(s!)].some((e) => e.textContent?.includes(t!)),
      [selector, expected] as const,
      { timeout },
    );
  const shot = (name: string, fullPage = false) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });

  it('sign in, author with live preview and server validation, save, try it on the phone, read the results', async () => {
    try {
      await journey();
    } catch (error) {
      await shot('failure').catch(() => undefined);
      const status = await page.locator('.status, .all-problems').allTextContents().catch(() => []);
      throw new Error(`${(error as Error).message}\non the page: ${status.join(' | ')}\n(screenshot: ${join(SCREENSHOTS, 'failure.png')})`);
    }
  });

  async function journey() {
    // Sign in: a wrong key is refused, the right one is kept in sessionStorage only.
    await page.goto(`${system.gateway.url}/console`);
    await page.fill('input[name="api-key"]', 'not-the-right-key');
    await page.click('button:has-text("Sign in")');
    await waitForText('.status.error', 'not accepted');
    await page.fill('input[name="api-key"]', API_KEY);
    await page.click('button:has-text("Sign in")');
    await page.locator('text=New survey').waitFor();
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length, document.cookie])).toEqual([1, 0, '']);

    // A new survey through the form: one scale question, English and Norwegian.
    await page.click('text=New survey');
    await page.fill('input[name="id"]', 'browser-csat');
    await page.check('input[name="languages.no"]');
    await page.selectOption('select[name="new-element-type"]', 'scale');
    await page.click('button:has-text("Add element")');
    await page.fill('textarea[name="elements[0].text.en"]', 'How happy were you with our help today?');
    await page.fill('textarea[name="elements[0].text.no"]', 'Hvor fornøyd var du med hjelpen i dag?');
    await waitForText('[data-preview="element:0"] .bubble', 'How happy were you with our help today?');
    expect(await text('[data-preview="element:0"] [data-encoding]')).toBe('GSM-7');
    expect(await text('[data-preview="element:0"] [data-segments]')).toBe('1 segment');
    await page.click('.preview button[role="tab"]:has-text("no")');
    await waitForText('[data-preview="element:0"] .bubble', 'Hvor fornøyd var du med hjelpen i dag?');
    expect(await text('[data-preview="element:0"] [data-encoding]')).toBe('GSM-7'); // ø is GSM-7
    await page.click('.preview button[role="tab"]:has-text("en")');

    // Saved without a name: the server's own message, next to the Name field.
    await page.click('button:has-text("Save")');
    await page.locator('[data-field="name"] .problem').waitFor();
    expect(await text('[data-field="name"] .problem')).toMatch(/\S/);
    expect(await page.locator('[data-field="name"].invalid').count()).toBe(1);
    expect(await text('.status.error')).toContain('Not saved');
    await shot('editor-validation');

    // An emoji turns the question into UCS-2, and the preview marks it.
    await page.fill('input[name="name"]', 'Browser CSAT');
    await page.fill('textarea[name="elements[0].text.en"]', 'How happy were you with our help today? 🙂');
    await waitForText('[data-preview="element:0"] [data-encoding]', 'UCS-2');
    expect(await text('[data-preview="element:0"] mark.ucs2')).toBe('🙂');
    expect(await text('[data-preview="element:0"] [data-ucs2-characters]')).toContain('🙂');
    expect(await text('[data-preview="opening"] [data-encoding]')).toBe('UCS-2');
    await shot('editor-preview');

    await page.click('button:has-text("Save")');
    await waitForText('.status.ok', 'Saved as version 1');
    await page.waitForURL(/#\/surveys\/browser-csat$/);
    expect((await fetch(`${system.gateway.url}/v1/surveys/browser-csat`, { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(200);

    // Try it: send to a test number, answer in the phone view, see the completion text.
    await page.click('a:has-text("Try it")');
    await page.fill('input[name="test-number"]', TEST_NUMBER);
    await page.click('button:has-text("Send survey")');
    await waitForText('.msg.outbound .msg-body', 'How happy were you with our help today? 🙂', 30_000);
    await page.fill('input[name="reply"]', '4');
    await page.click('.phone-input button[type="submit"]');
    await waitForText('.msg.inbound .msg-body', '4');
    await waitForText('.msg.outbound .msg-body', 'Thank you for your feedback!', 30_000);
    await waitForText('[data-session-status]', 'completed', 30_000);
    await shot('phone');

    // Results: the session, completed, with its answer and the number masked.
    await page.click('a:has-text("See all results")');
    await waitForText('.sessions [data-status]', 'completed');
    expect(await text('.sessions tbody tr code')).toBe('+•••••••567');
    expect(await text('.sessions [data-answer="q1"]')).toContain('4');
    expect(await text('[data-count="completed"]')).toBe('1');
    // The aggregates: the answer in its question's bars, CSAT (4 of 1–5 is satisfied) as a figure and a line per day.
    await waitForText('[data-figure="csat"]', '100');
    expect(await text('[data-rate="response"]')).toBe('100 %');
    expect(await page.locator('.distribution[data-question="q1"] .bar-row').count()).toBe(1);
    expect(await text('.distribution[data-question="q1"] .bar-value')).toBe('4');
    expect(await page.locator('svg.line-chart[data-chart="csat"] circle').count()).toBe(1);
    expect(await page.content()).not.toContain(TEST_NUMBER);
    await shot('results', true);

    // The survey list shows it.
    await page.click('nav a:has-text("Surveys")');
    await waitForText('[data-survey="browser-csat"]', 'Browser CSAT');
    await shot('surveys');
    expect(consoleErrors).toEqual([]);
  }
});
