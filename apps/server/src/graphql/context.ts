import type { User } from '../generated/prisma/client.js';
import type { CircuitGrant } from '../services/circuit-access.js';
import { AppError } from '../services/errors.js';
import type { Services } from '../services/index.js';
import { addressRateKey, userRateKey } from '../services/rate-limit.js';
import { createLoaders, type Viewer } from '../services/viewer.js';

export const SESSION_COOKIE = 'wb_session';
export const SHARE_TOKEN_HEADER = 'x-share-token';

export interface Context {
  services: Services;
  viewer: Viewer;
  user: User | null;
  sessionToken: string | undefined;
  /** Set-Cookie values the HTTP layer adds to the response. */
  setCookies: string[];
  secureCookies: boolean;
  /** Circuit grants computed in this request, by circuit id. */
  grants: Map<string, Promise<CircuitGrant>>;
  /** Who to rate-limit: the user, or the client's address when signed out. */
  clientKey: string;
  /** The client's address as a rate-limit key, signed in or not (sign-in attempts are limited per address). */
  addressKey: string;
}

/** A cookie's value; a malformed one (bad percent-encoding) counts as absent: it cannot be a session we issued. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
}

const parseShareTokens = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => /^[\w-]{20,100}$/.test(t))
    .slice(0, 5);

export async function buildContext(
  services: Services,
  request: { cookie: string | undefined; shareTokens: string | undefined; address?: string },
  secureCookies: boolean,
): Promise<Context> {
  const sessionToken = readCookie(request.cookie, SESSION_COOKIE);
  const user = await services.auth.userForToken(sessionToken);
  const viewer: Viewer = {
    user,
    shareTokens: parseShareTokens(request.shareTokens),
    loaders: createLoaders(services.prisma),
  };
  const addressKey = addressRateKey(request.address);
  const clientKey = user ? userRateKey(user.id) : addressKey;
  return {
    services,
    viewer,
    user,
    sessionToken,
    setCookies: [],
    secureCookies,
    grants: new Map(),
    clientKey,
    addressKey,
  };
}

export function requireUser(context: Context): User {
  if (!context.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
  return context.user;
}
