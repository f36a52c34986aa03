import { describe, expect, it } from 'vitest';
import { hashPassword, PASSWORD_HASH_CONCURRENCY, passwordHashQueue, verifyPassword } from './passwords.js';

describe('password hashing', () => {
  it('runs at most PASSWORD_HASH_CONCURRENCY hashes at once however many requests arrive together', async () => {
    const seen: { running: number; waiting: number }[] = [];
    const timer = setInterval(() => seen.push(passwordHashQueue()), 5);
    const hashes = await Promise.all(Array.from({ length: 6 }, (_, i) => hashPassword(`password number ${i}`)));
    clearInterval(timer);
    expect(Math.max(...seen.map((s) => s.running))).toBeLessThanOrEqual(PASSWORD_HASH_CONCURRENCY);
    // The rest waited their turn (all six at once would show none waiting).
    expect(Math.max(...seen.map((s) => s.waiting))).toBeGreaterThanOrEqual(6 - PASSWORD_HASH_CONCURRENCY - 1);
    expect(passwordHashQueue()).toEqual({ running: 0, waiting: 0 });
    // And each still verifies.
    expect(await verifyPassword('password number 3', hashes[3]!)).toBe(true);
    expect(await verifyPassword('password number 3', hashes[4]!)).toBe(false);
  });
});
