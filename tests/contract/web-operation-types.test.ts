import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const lib = fileURLToPath(new URL('../../apps/web/lib/', import.meta.url));
const SUFFIX = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;

/** Every exported operation document of a web operations file: its const, the types it is declared with, its operation. */
function documents(file: string) {
  const source = readFileSync(`${lib}${file}`, 'utf8');
  return [
    ...source.matchAll(
      /^export const (\w+)(?::\s*TypedDocumentNode<\s*([\w.]+),\s*([\w.]+),?\s*>)?\s*=\s*gql`([^`]*)`/gm,
    ),
  ]
    .map(([, name, result, variables, text]) => ({ name, result, variables, operation: operationOf(text!) }))
    .filter((d) => d.operation !== null);
}

function operationOf(text: string) {
  const match = /\b(query|mutation|subscription)\s+(\w+)/.exec(text);
  return match ? { kind: match[1] as keyof typeof SUFFIX, name: match[2]! } : null;
}

// useQuery(ME) and friends take their result and variable types from the document: each one must be declared
// with the types codegen made for its own operation (a missing or mismatched annotation would type a page with
// another operation's result, or not at all).
describe('web operation documents', () => {
  const files = readdirSync(lib).filter((f) => f.endsWith('operations.ts'));
  const all = files.flatMap((file) => documents(file).map((d) => ({ file, ...d })));

  it('finds the operation files and their documents', () => {
    expect(files).toContain('operations.ts');
    expect(all.length).toBeGreaterThan(60);
  });

  it.each(all.map((d) => [`${d.file} ${d.name}`, d] as const))('%s is typed by its operation', (_, d) => {
    const { kind, name } = d.operation!;
    const type = `Ops.${name}${SUFFIX[kind]}`;
    expect({ result: d.result, variables: d.variables }).toEqual({ result: type, variables: `${type}Variables` });
  });
});
