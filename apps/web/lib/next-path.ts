/**
 * Where sign-in may send you afterwards: a path on this site only. Anything else (another origin, `//host`,
 * `/\host` which browsers read as `//host`, a scheme such as `javascript:`, control characters) becomes `/`,
 * so a crafted `?next=` cannot turn sign-in into an open redirect.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || next.length > 2000) return '/';
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // Browsers drop tabs and newlines inside URLs ("/\t/evil.org" is "//evil.org") and read "\" as "/".
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return '/';
  return next;
}

/** /signin with a `next` back to `path` (the page you are on), or plain /signin for the home page. */
export function signInHref(path: string): string {
  const next = safeNextPath(path);
  return next === '/' || next.startsWith('/signin') ? '/signin' : `/signin?next=${encodeURIComponent(next)}`;
}
