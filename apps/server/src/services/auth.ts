import { z } from 'zod';
import type { PrismaClient, User } from '../generated/prisma/client.js';
import { AppError, parseInput } from './errors.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';
import type { RateLimiters } from './rate-limit.js';
import { hashToken, newToken } from './tokens.js';

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
export const MIN_PASSWORD_LENGTH = 10;

const signUpInput = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email('must be a valid email address')),
  displayName: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(200, 'must be at most 200 characters'),
});
const signInInput = z.object({ email: z.string().trim().toLowerCase(), password: z.string() });

let dummy: Promise<string> | null = null;
/** A hash with the current parameters, of a password no one has: what an unknown email is checked against. */
const dummyHash = () => {
  dummy ??= hashPassword(newToken());
  return dummy;
};

export interface IssuedSession {
  user: User;
  /** The cookie value; only its hash is stored. */
  token: string;
  expiresAt: Date;
}

// Every request resolves its session; a short in-memory cache spares the database two queries for most of them.
// A sign-out here is seen at once; one on another instance within SESSION_CACHE_MS.
const SESSION_CACHE_MS = Number(process.env.SESSION_CACHE_MS ?? 5000);
const SESSION_CACHE_SIZE = 10_000;

export class AuthService {
  private readonly sessions = new Map<string, { user: User; expiresAt: number; cachedAt: number }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly limiters: Pick<RateLimiters, 'signInAccount' | 'signInAddress' | 'signUpAddress'>,
  ) {}

  /** Rate-limited per client address, checked after the input (a typo costs no token) and before the hash. */
  async signUp(raw: unknown, addressKey: string): Promise<IssuedSession> {
    const input = parseInput(signUpInput, raw);
    await this.limiters.signUpAddress.take(addressKey);
    const passwordHash = await hashPassword(input.password);
    const token = newToken();
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    try {
      // One transaction: a user is never created without the session the caller was promised, or vice versa.
      const user = await this.prisma.user.create({
        data: {
          email: input.email,
          displayName: input.displayName,
          passwordHash,
          sessions: { create: { tokenHash: hashToken(token), expiresAt } },
        },
      });
      return { user, token, expiresAt };
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') {
        throw new AppError('EMAIL_TAKEN', `An account with ${input.email} already exists`, { field: 'email' });
      }
      throw error;
    }
  }

  /**
   * Rate-limited per client address and per account (whether or not it exists, so the limit does not tell either).
   * An unknown email costs the same scrypt hash as a known one: the time taken does not reveal who has an account.
   */
  async signIn(raw: unknown, addressKey: string): Promise<IssuedSession> {
    const input = parseInput(signInInput, raw);
    await this.limiters.signInAddress.take(addressKey);
    await this.limiters.signInAccount.take(`account:${input.email}`);
    const user = await this.prisma.user.findUnique({ where: { email: input.email } });
    const matches = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash()));
    // Same error for unknown email and wrong password: the response does not reveal who has an account.
    if (!user || !matches) throw new AppError('WRONG_CREDENTIALS', 'Wrong email or password');
    if (needsRehash(user.passwordHash)) await this.rehash(user, input.password);
    return this.issueSession(user);
  }

  /**
   * A hash made with weaker parameters than today's is replaced now that the password is known. Only if it is still
   * the stored one: a password changed meanwhile is not overwritten. A failure here does not fail the sign-in.
   */
  private async rehash(user: User, password: string): Promise<void> {
    try {
      const passwordHash = await hashPassword(password);
      await this.prisma.user.updateMany({
        where: { id: user.id, passwordHash: user.passwordHash },
        data: { passwordHash },
      });
    } catch (error) {
      console.error(`could not upgrade the password hash of user ${user.id}:`, error);
    }
  }

  async signOut(token: string | undefined): Promise<void> {
    if (!token) return;
    this.sessions.delete(hashToken(token));
    await this.prisma.session.deleteMany({ where: { tokenHash: hashToken(token) } });
  }

  /** The signed-in user for a cookie token, or null when it is missing, unknown or expired. */
  async userForToken(token: string | undefined): Promise<User | null> {
    if (!token) return null;
    const tokenHash = hashToken(token);
    const now = Date.now();
    const cached = this.sessions.get(tokenHash);
    if (cached && now - cached.cachedAt < SESSION_CACHE_MS) return cached.expiresAt > now ? cached.user : null;
    const session = await this.prisma.session.findUnique({ where: { tokenHash }, include: { user: true } });
    if (!session || session.expiresAt.getTime() <= now) {
      this.sessions.delete(tokenHash);
      return null;
    }
    if (this.sessions.size >= SESSION_CACHE_SIZE) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(tokenHash, { user: session.user, expiresAt: session.expiresAt.getTime(), cachedAt: now });
    return session.user;
  }

  private async issueSession(user: User): Promise<IssuedSession> {
    const token = newToken();
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await this.prisma.session.create({ data: { tokenHash: hashToken(token), userId: user.id, expiresAt } });
    return { user, token, expiresAt };
  }
}
