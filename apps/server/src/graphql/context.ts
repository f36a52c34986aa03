import type { User } from '../generated/prisma/client.js';
import { AppError } from '../services/errors.js';
import type { Services } from '../services/index.js';

export const SESSION_COOKIE = 'wb_session';

export interface Context {
  services: Services;
  user: User | null;
  sessionToken: string | undefined;
  /** Set-Cookie values the HTTP layer adds to the response. */
  setCookies: string[];
  secureCookies: boolean;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
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

export async function buildContext(
  services: Services,
  cookieHeader: string | undefined,
  secureCookies: boolean,
): Promise<Context> {
  const sessionToken = readCookie(cookieHeader, SESSION_COOKIE);
  const user = await services.auth.userForToken(sessionToken);
  return { services, user, sessionToken, setCookies: [], secureCookies };
}

export function requireUser(context: Context): User {
  if (!context.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
  return context.user;
}
