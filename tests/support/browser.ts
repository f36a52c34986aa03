import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from './chromium.mjs';

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium driven by playwright-core, with a fresh profile (so a fresh cookie jar) each time. */
export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'wb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...chromiumLaunchOptions,
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves once the page has asked the server for a subscription whose document names `field` (and the server had a
 * moment to take it): what is published before that reaches the page only when it next queries. Call before goto.
 */
export function subscribed(page: Page, field: string): Promise<void> {
  return new Promise((resolve) => {
    page.on('websocket', (socket) =>
      socket.on('framesent', (frame) => {
        if (String(frame.payload).includes(field)) setTimeout(resolve, 300);
      }),
    );
  });
}

/**
 * Holds back the page's GraphQL requests for `operationName` until the returned function is called, to see what the
 * page shows while that answer is loading. Call before goto; the route stays until `page.unrouteAll()`.
 */
export async function holdOperation(page: Page, operationName: string): Promise<() => void> {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route('**/graphql', async (route) => {
    if (route.request().postDataJSON()?.operationName === operationName) await held;
    await route.continue();
  });
  return release;
}
