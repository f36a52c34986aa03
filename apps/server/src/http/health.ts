import type { PrismaClient } from '../generated/prisma/client.js';

/** What `/healthz` answers: 200 with status "ok", or 503 with status "unavailable" and why, in a few words. */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  /** "ok", or a short reason the database did not answer: never its address or an error's full text. */
  database: string;
}

export interface HealthOptions {
  /** How long the database may take to answer before it counts as unavailable (default 2 s). */
  timeoutMs?: number;
  /** How long one probe's answer is reused (default 1 s): a flood of /healthz costs the database one query per period. */
  reuseMs?: number;
}

export const HEALTH_TIMEOUT_MS = 2000;
export const HEALTH_REUSE_MS = 1000;

/**
 * The database's health as `/healthz` reports it: one `SELECT 1` through the same Prisma client (pool or PGlite
 * thread) that requests use, bounded by a timeout. Concurrent callers share the probe in flight and its answer for
 * `reuseMs` after, so health checks cannot be turned into load on the database. A query that outlives its timeout
 * is abandoned, not awaited: a hung database is then probed again at most once per timeout plus reuse period.
 * The full error goes to the log (when the state changes, not per probe); the answer only says what kind it was.
 */
export function databaseHealth(prisma: PrismaClient, options: HealthOptions = {}): () => Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? HEALTH_TIMEOUT_MS;
  const reuseMs = options.reuseMs ?? HEALTH_REUSE_MS;
  let latest: { report: Promise<HealthReport>; settledAt: number | null } | null = null;
  let lastStatus: HealthReport['status'] = 'ok';

  const probe = async (): Promise<HealthReport> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed out'>((resolve) => {
      timer = setTimeout(resolve, timeoutMs, 'timed out').unref();
    });
    // Settles with the error instead of rejecting, so an abandoned query that fails later is no unhandled rejection.
    const answered = prisma.$queryRaw`SELECT 1`.then(
      () => null,
      (error: unknown) => error,
    );
    const outcome = await Promise.race([answered, timedOut]);
    clearTimeout(timer);
    const report: HealthReport =
      outcome === null
        ? { status: 'ok', database: 'ok' }
        : outcome === 'timed out'
          ? { status: 'unavailable', database: `no answer within ${timeoutMs} ms` }
          : { status: 'unavailable', database: failureKind(outcome) };
    if (report.status !== lastStatus) {
      if (report.status === 'ok') console.log('health: the database answers again');
      else
        console.error(
          `health: the database is unavailable: ${outcome === 'timed out' ? report.database : detail(outcome)}`,
        );
      lastStatus = report.status;
    }
    return report;
  };

  return () => {
    if (latest && (latest.settledAt === null || Date.now() - latest.settledAt < reuseMs)) return latest.report;
    const entry: { report: Promise<HealthReport>; settledAt: number | null } = { report: probe(), settledAt: null };
    void entry.report.then(() => {
      entry.settledAt = Date.now();
    });
    latest = entry;
    return entry.report;
  };
}

/**
 * "query failed", with Prisma's error code and the driver's kind of failure when they are there (identifiers such as
 * P2010 or DatabaseDoesNotExist): enough to tell a dropped database from an unreachable one, with nothing from the
 * message, which may name hosts, users or databases.
 */
function failureKind(error: unknown): string {
  const fields = error as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  const kinds = [fields?.code, fields?.meta?.driverAdapterError?.cause?.kind].filter(
    (kind): kind is string => typeof kind === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(kind),
  );
  return kinds.length ? `query failed (${kinds.join(', ')})` : 'query failed';
}

/** The error's message for the log, on one line and bounded. */
function detail(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim().slice(0, 500);
}
