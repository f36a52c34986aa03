// Generates the Prisma client offline. The Prisma CLI wants a native schema engine it would download; pointing
// PRISMA_SCHEMA_ENGINE_BINARY at a script that fails makes `generate` work and any accidental CLI migrate fail loudly.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const fakeEngine = join(root, 'node_modules', '.cache', 'no-schema-engine.sh');
mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
if (!existsSync(fakeEngine)) {
  writeFileSync(
    fakeEngine,
    '#!/bin/sh\necho "The Prisma schema engine is not used here: migrations run with npm run migrate" >&2\nexit 1\n',
  );
  chmodSync(fakeEngine, 0o755);
}
execFileSync(join(root, 'node_modules', '.bin', 'prisma'), ['generate', '--no-hints'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: fakeEngine,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
