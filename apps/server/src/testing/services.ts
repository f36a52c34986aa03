// Which outside services the tests may use. On a developer's machine a missing Postgres or Redis skips the tests
// that need it; under CI=true it is an error, so CI cannot go green by skipping them.

function configured(variable: 'DATABASE_URL' | 'REDIS_URL', service: string): boolean {
  const set = Boolean(process.env[variable]?.trim());
  if (!set && process.env.CI === 'true') {
    throw new Error(
      `CI=true but ${variable} is unset: the tests that need ${service} would be skipped. Start ${service} and set ${variable}.`,
    );
  }
  return set;
}

/** DATABASE_URL is set: tests run on Postgres (else on PGlite, and Postgres-only tests are skipped). */
export const hasPostgres = (): boolean => configured('DATABASE_URL', 'Postgres');
/** REDIS_URL is set: the cross-instance tests run. */
export const hasRedis = (): boolean => configured('REDIS_URL', 'Redis');
