'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useMemo } from 'react';

/*
 * Next's app router treats every history.replaceState as a navigation of its own and discards a navigation still
 * loading when one arrives (its action queue lets the newest navigation win). The editor writes its view (viewport,
 * selection) into the URL with replaceState a moment after each change, so a click on a link, or a save that then
 * opens the saved circuit, could be lost when the write fell in that moment. Next has no public "navigating" flag,
 * so this module notes the navigations the app starts (link clicks and the router's push and replace) and the view
 * writes wait until the address has changed or the navigation has had ample time.
 */

/** How long a started navigation holds back view writes at most, should it never change the address. */
const PENDING_MS = 10_000;

let pending: { from: string; until: number } | null = null;

const here = () => `${window.location.pathname}${window.location.search}`;

/** Notes that a navigation to `href` has started (nothing is noted when it leads where we already are). */
export function noteNavigationStart(href: string): void {
  const target = new URL(href, window.location.href);
  if (target.origin !== window.location.origin || `${target.pathname}${target.search}` === here()) return;
  pending = { from: here(), until: Date.now() + PENDING_MS };
}

/** True while a navigation the app started has not yet changed the address. */
export function isNavigationPending(): boolean {
  if (pending && (pending.from !== here() || Date.now() > pending.until)) pending = null;
  return pending !== null;
}

/** useRouter, with push and replace noted as navigations. */
export function useAppRouter(): ReturnType<typeof useRouter> {
  const router = useRouter();
  return useMemo(
    () => ({
      ...router,
      push: (href, options) => {
        noteNavigationStart(href);
        router.push(href, options);
      },
      replace: (href, options) => {
        noteNavigationStart(href);
        router.replace(href, options);
      },
    }),
    [router],
  );
}

/** Notes clicks on same-window links (Next's Link turns them into router navigations) as navigations. */
export function useLinkNavigationNotes(): void {
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const anchor = (event.target as Element | null)?.closest?.('a[href]');
      if (!(anchor instanceof HTMLAnchorElement) || (anchor.target && anchor.target !== '_self')) return;
      if (anchor.hasAttribute('download')) return;
      noteNavigationStart(anchor.href);
    };
    document.addEventListener('click', onClick, true);
    return () => document.removeEventListener('click', onClick, true);
  }, []);
}
