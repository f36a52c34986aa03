'use client';

/**
 * The share token of the page being viewed (from `?share=` in the URL). The Apollo links read it on every request:
 * HTTP sends it as the x-share-token header, graphql-ws as connectionParams.shareToken when it (re)connects.
 */
let current: string | null = null;

export function getShareToken(): string | null {
  return current;
}

export function setShareToken(token: string | null): void {
  current = token || null;
}

/** Appends the share token (if any) to an in-app path, so links within a shared circuit keep working. */
export function withShare(path: string, token: string | null = current): string {
  if (!token) return path;
  return `${path}${path.includes('?') ? '&' : '?'}share=${encodeURIComponent(token)}`;
}
