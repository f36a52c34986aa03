import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../generated/prisma/client.js';
import { type Database, openDatabase } from './database.js';
import { PgliteThread, workerExecArgv } from './pglite-thread.js';

// The embedded database runs in a worker thread; Prisma's queries, transactions, errors and NOTIFY cross to it.
describe('PGlite in its own thread', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ kind: 'pglite' });
  });
  afterAll(async () => {
    await db.close();
  });

  const user = (email: string) => ({ email, displayName: email.split('@')[0]!, passwordHash: 'x' });

  it('returns rows with their types converted (dates, uuids, counts)', async () => {
    const created = await db.prisma.user.create({ data: user('ada@example.org') });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    const found = await db.prisma.user.findUniqueOrThrow({ where: { email: 'ada@example.org' } });
    expect(found).toEqual(created);
    const counted = await db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM users`;
    expect(counted).toEqual([{ n: 1n }]);
  });

  it("keeps Postgres's errors as Prisma's codes (a unique violation is P2002 naming the field)", async () => {
    await db.prisma.user.create({ data: user('bob@example.org') });
    const duplicate = await db.prisma.user.create({ data: user('bob@example.org') }).catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((duplicate as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');
    expect(JSON.stringify((duplicate as Prisma.PrismaClientKnownRequestError).meta)).toContain('email');
  });

  it('commits an interactive transaction, and rolls one back when it throws', async () => {
    await db.prisma.$transaction(async (tx) => {
      await tx.user.create({ data: user('kept@example.org') });
    });
    const failed = await db.prisma
      .$transaction(async (tx) => {
        await tx.user.create({ data: user('dropped@example.org') });
        throw new Error('changed my mind');
      })
      .catch((error: Error) => error.message);
    expect(failed).toBe('changed my mind');
    expect(await db.prisma.user.count({ where: { email: 'kept@example.org' } })).toBe(1);
    expect(await db.prisma.user.count({ where: { email: 'dropped@example.org' } })).toBe(0);
  });

  it('runs concurrent queries and transactions one at a time without losing any', async () => {
    const emails = Array.from({ length: 40 }, (_, i) => `many${i}@example.org`);
    await Promise.all(
      emails.map((email, i) =>
        i % 2
          ? db.prisma.user.create({ data: user(email) })
          : db.prisma.$transaction(async (tx) => tx.user.create({ data: user(email) })),
      ),
    );
    expect(await db.prisma.user.count({ where: { email: { in: emails } } })).toBe(emails.length);
  });

  it('delivers NOTIFY on commit to every listener of the channel, and not on rollback', async () => {
    const first: string[] = [];
    const second: string[] = [];
    await db.listen('thread_test', (payload) => first.push(payload));
    await db.listen('thread_test', (payload) => second.push(payload));
    await db.prisma
      .$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_notify('thread_test', 'rolled back')`;
        throw new Error('roll back');
      })
      .catch(() => {});
    await db.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_notify('thread_test', 'committed')`;
    });
    await expect.poll(() => first).toEqual(['committed']);
    expect(second).toEqual(['committed']);
  });
});

describe('the thread when it cannot serve', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pglite-thread-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fails to open with the reason when the data directory is a file', async () => {
    const file = join(dir, 'not-a-directory');
    await writeFile(file, 'x');
    await expect(PgliteThread.start(file)).rejects.toThrow(/could not open the embedded database/);
  });

  it('fails a call whose arguments cannot cross to the thread, and goes on serving', async () => {
    const thread = await PgliteThread.start(undefined);
    await expect(thread.call('query', 'SELECT $1::text AS x', [() => 1])).rejects.toThrow(/could not be cloned/);
    expect(await thread.call('query', 'SELECT 2 AS two', [])).toEqual([{ two: 2 }]);
    await thread.close();
  });

  it('says it is lost when its thread ends without close() (the API then stops), and not after close()', async () => {
    const closed = await PgliteThread.start(undefined);
    await closed.close();
    const crashed = await PgliteThread.start(undefined);
    // What a WebAssembly abort in the thread comes to: the thread ends while the API still uses it.
    await (crashed as unknown as { worker: Worker }).worker.terminate();
    const reason = await crashed.lost;
    expect(reason.message).toMatch(/embedded database's thread exited/);
    await expect(crashed.call('query', 'SELECT 1', [])).rejects.toBe(reason);
    const settled = await Promise.race([closed.lost.then(() => 'lost'), new Promise((r) => setTimeout(r, 200, 'no'))]);
    expect(settled).toBe('no');
  });

  it('refuses calls after it has closed, saying so, instead of hanging', async () => {
    const thread = await PgliteThread.start(undefined);
    expect(await thread.call('query', 'SELECT 1 AS one', [])).toEqual([{ one: 1 }]);
    await thread.close();
    await expect(thread.call('query', 'SELECT 1', [])).rejects.toThrow(/embedded database's thread exited/);
  });
});

describe('the options the thread starts with', () => {
  it("are the process's own, but none when its script came from -e or --input-type (a worker refuses those)", () => {
    expect(workerExecArgv(['--cpu-prof', '--max-old-space-size=4096'])).toBeUndefined();
    expect(workerExecArgv(['--expose-gc', '--input-type=module', '-e', 'code'])).toEqual([]);
    expect(workerExecArgv(['--eval=x'])).toEqual([]);
    expect(workerExecArgv(['--print', 'x'])).toEqual([]);
  });
});
