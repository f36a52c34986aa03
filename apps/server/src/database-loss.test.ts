// The built API (dist/main.js, as `npm run serve` starts it) stops, saying why, with exit status 1 when its
// embedded database's thread ends: every query would fail from then on, and a supervisor should start it again.
// The thread is ended by testing/end-pglite-on-sigusr2.mjs, loaded into the child with --import, not by anything in main.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { API_READY, killStartedProcesses, MAIN, ROOT, startProcess } from './testing/process.js';

const END_PGLITE_ON_SIGUSR2 = pathToFileURL(join(ROOT, 'apps/server/src/testing/end-pglite-on-sigusr2.mjs')).href;

const dirs: string[] = [];
afterEach(async () => {
  killStartedProcesses();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

it("logs the reason and exits with status 1 when the embedded database's thread ends", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'wb-database-loss-'));
  dirs.push(dataDir);
  const { DATABASE_URL: _, ...env } = process.env;
  const api = await startProcess(
    ['--import', END_PGLITE_ON_SIGUSR2, MAIN],
    { ...env, API_PORT: '0', DATA_DIR: dataDir, DEMO_DIR: '', SHUTDOWN_TIMEOUT_MS: '4000' },
    API_READY,
  );
  const healthz = (api.match[1] as string).replace('/graphql', '/healthz');
  expect(await (await fetch(healthz)).json()).toEqual({ status: 'ok', database: 'ok' });

  api.child.kill('SIGUSR2');
  const exit = await Promise.race([api.exited, new Promise<null>((resolve) => setTimeout(resolve, 15_000, null))]);
  expect(exit, `still running 15 s after its database's thread ended:\n${api.output()}`).not.toBeNull();
  expect(exit?.code, api.output()).toBe(1);
  expect(api.output()).toMatch(/end-pglite-on-sigusr2: ending 1 embedded database thread/);
  expect(api.output()).toMatch(/the embedded database's thread exited \(code 1\); stopping the API/);
});
