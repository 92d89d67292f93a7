/**
 * End to end, nothing mocked: a real `lightspeed dashboard --demo` child process (built CLI, real engine,
 * real relay, lossy link and echo server on loopback) driven by Debian's Chromium through playwright-core.
 * Needs `npm run build` (the CLI and the UI bundle) and `apt-get install chromium`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { CHROMIUM, launchChromium } from '../test-support/chromium.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = path.join(root, 'electron/bin/lightspeed.js');
const artifacts = path.join(root, 'test-artifacts');
const POLL = { timeout: 20_000, interval: 250 };

interface Cli {
  child: ChildProcess;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; resolves once stdout matches `ready` (or the process exits). */
function startCli(
  args: string[],
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<Cli & { exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Cli & { exitCode: number | null } = { child, stdout: '', stderr: '', exitCode: null };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `CLI did not become ready in ${timeoutMs} ms\nstdout: ${out.stdout}\nstderr: ${out.stderr}`,
        ),
      );
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out.stdout += d.toString();
      if (ready.test(out.stdout)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
    child.on('exit', (code) => {
      out.exitCode = code;
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** GET with an arbitrary Host header (fetch does not let one set it). */
function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

/** SIGTERM, then SIGKILL if it lingers. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Resolves when a WebSocket upgrade succeeds (true) or is refused (false). */
function wsAccepted(url: string, origin: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { origin });
    const timer = setTimeout(() => {
      ws.terminate();
      resolve(false);
    }, 5000);
    ws.on('open', () => {
      clearTimeout(timer);
      ws.close();
      resolve(true);
    });
    ws.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

describe('lightspeed dashboard --demo in Chromium', () => {
  let dash: Cli;
  let url: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (
      !existsSync(path.join(root, 'electron/dist/cli/main.js')) ||
      !existsSync(path.join(root, 'renderer/dist/ui/index.html'))
    ) {
      throw new Error('run `npm run build` first: the e2e test drives the built CLI and UI');
    }
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    const started = await startCli(['dashboard', '--demo', '--no-open', '--port', '0'], /http:\/\/\S+\/\n/);
    dash = started;
    const m = /(http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\/)/.exec(started.stdout);
    if (!m) throw new Error(`no URL printed\nstdout: ${started.stdout}\nstderr: ${started.stderr}`);
    url = m[1]!;
    profile = await mkdtemp(path.join(tmpdir(), 'lightspeed-e2e-chromium-'));
    context = await launchChromium(profile, CHROMIUM);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    await mkdir(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (dash) await stopChild(dash.child);
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('serves the UI with a strict CSP; Boost shows live RTT and FEC recoveries; Stop returns to idle', async () => {
    const rttChart = () => page.getByRole('figure', { name: 'Round-trip time over the session' });
    const samples = async (): Promise<number> => Number((await rttChart().getAttribute('data-samples')) ?? 0);
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");

    // First run: the welcome dialog, then the Library.
    const welcome = page.getByRole('dialog', { name: 'Welcome to LightSpeed' });
    await welcome.waitFor();
    await page.screenshot({ path: path.join(artifacts, 'dashboard-first-run.png') });
    await welcome.getByRole('button', { name: 'Get started' }).click();
    await welcome.waitFor({ state: 'detached' });

    const boost = page.getByRole('button', { name: 'Boost Demo Arena' });
    await boost.waitFor();
    await page.screenshot({ path: path.join(artifacts, 'dashboard-library.png') });
    await boost.click();

    // Session: active state, RTT samples on the chart, FEC rebuilding packets the lossy link dropped.
    await page.locator('.hero [role="status"][data-state="active"]').waitFor({ timeout: 20_000 });
    await expect.poll(samples, POLL).toBeGreaterThanOrEqual(3);
    expect(await rttChart().locator('canvas').count()).toBeGreaterThan(0);
    expect(
      await page.getByRole('figure', { name: 'Packet loss before and after FEC' }).locator('canvas').count(),
    ).toBeGreaterThan(0);
    // (Polled from here: the page's CSP forbids the string evaluation page.waitForFunction would need.)
    await expect
      .poll(
        async () => parseFloat((await page.getByTestId('stat-fec-recoveries').textContent()) ?? '') || 0,
        POLL,
      )
      .toBeGreaterThan(0);
    expect(await page.getByTestId('current-relay').textContent()).toMatch(/^demo-/);
    // Let the chart gather a few more points for the screenshot.
    await expect.poll(samples, POLL).toBeGreaterThanOrEqual(6);
    await page.screenshot({ path: path.join(artifacts, 'dashboard-session.png') });

    await page.getByRole('button', { name: 'Relays' }).click();
    await page.getByRole('radio', { name: /Pin demo-near/ }).waitFor();
    await page.screenshot({ path: path.join(artifacts, 'dashboard-relays.png') });
    await page.getByRole('button', { name: 'Session' }).click();

    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('.strip [role="status"][data-state="idle"]').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.screenshot({ path: path.join(artifacts, 'dashboard-settings.png'), fullPage: true });
    expect(consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('refuses HTTP and WebSocket requests without the token, or from another origin', async () => {
    const base = new URL(url);
    const token = base.pathname.split('/')[1]!;
    const origin = base.origin;
    expect((await fetch(`${origin}/`)).status).toBe(403);
    expect((await fetch(`${origin}/index.html`)).status).toBe(403);
    expect((await fetch(`${origin}/${'x'.repeat(token.length)}/`)).status).toBe(403);
    expect((await fetch(`${origin}/${token.slice(0, -1)}/`)).status).toBe(403);
    expect((await fetch(url)).status).toBe(200);
    expect(await statusWithHost(url, 'evil.example')).toBe(421);
    expect(await statusWithHost(url, `localhost:${base.port}`)).toBe(200);

    const wsUrl = `ws://${base.host}/${token}/ws`;
    expect(await wsAccepted(`ws://${base.host}/ws`, origin)).toBe(false);
    expect(await wsAccepted(`ws://${base.host}/${'y'.repeat(token.length)}/ws`, origin)).toBe(false);
    expect(await wsAccepted(wsUrl, 'http://evil.example')).toBe(false);
    expect(await wsAccepted(wsUrl, origin)).toBe(true);
  });

  it('refuses a non-loopback bind without --allow-remote, and bad usage, with exit code 2', async () => {
    const remote = await startCli(
      ['dashboard', '--host', '0.0.0.0', '--no-open', '--port', '0'],
      /$^/,
      20_000,
    );
    expect(remote.exitCode).toBe(2);
    expect(remote.stderr).toMatch(/not a loopback address.*--allow-remote/);
    const badPort = await startCli(['dashboard', '--port', 'eighty', '--no-open'], /$^/, 20_000);
    expect(badPort.exitCode).toBe(2);
    expect(badPort.stderr).toContain('--port');
    const demoFile = await startCli(
      ['dashboard', '--demo', '--settings', 'x.json', '--no-open'],
      /$^/,
      20_000,
    );
    expect(demoFile.exitCode).toBe(2);
    expect(demoFile.stderr).toMatch(/--settings: the demo's relays live only for the run/);
  });
});
