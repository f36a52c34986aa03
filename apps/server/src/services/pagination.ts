import { AppError } from './errors.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const MAX_PAGE_SIZE = 100;

const encode = (id: string) => Buffer.from(`id:${id}`).toString('base64url');
function decode(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString();
  if (!text.startsWith('id:')) throw new AppError('BAD_USER_INPUT', `after: "${cursor}" is not a cursor from this API`);
  return text.slice(3);
}

/**
 * Relay-style cursor pagination over any Prisma `findMany` ordered by a unique tail (id): fetches one extra row to
 * know whether another page exists.
 */
export async function paginate<T extends { id: string }>(
  args: PageArgs,
  fetch: (page: { take: number; cursor?: { id: string }; skip?: number }) => Promise<T[]>,
  defaultSize = 20,
): Promise<Connection<T>> {
  const size = args.first ?? defaultSize;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new AppError('BAD_USER_INPUT', `first: must be between 1 and ${MAX_PAGE_SIZE}`, { field: 'first' });
  }
  const rows = await fetch({
    take: size + 1,
    ...(args.after ? { cursor: { id: decode(args.after) }, skip: 1 } : {}),
  });
  const page = rows.slice(0, size);
  return {
    edges: page.map((node) => ({ cursor: encode(node.id), node })),
    pageInfo: { hasNextPage: rows.length > size, endCursor: page.length ? encode(page.at(-1)!.id) : null },
  };
}
