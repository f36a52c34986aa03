import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

// The generated resolver and operation types are committed (a fresh checkout type-checks without running codegen),
// so a schema or operation change without `npm run codegen` must fail here rather than leave them describing the
// old API.
describe('generated GraphQL types', async () => {
  const { config } = await loadCodegenConfig({ configFilePath: `${root}codegen.ts` });
  const outputs: { filename: string; content: string }[] = await generate({ ...config, cwd: root }, false);

  it('writes the server resolver types and the web operation types', () => {
    expect(outputs.map((o) => o.filename.replace(root, '')).sort()).toEqual([
      'apps/server/src/graphql/generated/resolvers-types.ts',
      'apps/web/lib/generated/graphql.ts',
    ]);
  });

  it.each(outputs.map((o) => [o.filename.replace(root, ''), o.content]))(
    '%s is up to date (run npm run codegen after changing the schema or an operation)',
    (filename, content) => {
      expect(readFileSync(`${root}${filename}`, 'utf8') === content, `${filename} is stale: npm run codegen`).toBe(
        true,
      );
    },
  );
});
