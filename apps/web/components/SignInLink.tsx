'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type ReactNode, useEffect, useState } from 'react';
import { signInHref } from '../lib/next-path';

/**
 * A link to sign in that comes back here afterwards (share links keep their ?share=). The query is read after
 * mounting, from the address bar, so pages need no Suspense boundary for useSearchParams.
 */
export function SignInLink({ children = 'Sign in' }: { children?: ReactNode }) {
  const pathname = usePathname();
  const [here, setHere] = useState(pathname);
  // biome-ignore lint/correctness/useExhaustiveDependencies: read the address again after each client navigation
  useEffect(() => setHere(`${window.location.pathname}${window.location.search}`), [pathname]);
  return <Link href={signInHref(here)}>{children}</Link>;
}
