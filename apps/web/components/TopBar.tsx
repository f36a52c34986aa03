'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { MeQuery } from '../lib/generated/graphql';
import { ME, SIGN_OUT } from '../lib/operations';
import { InboxLink } from './InboxLink';
import { LabelSearch } from './LabelSearch';
import { SignInLink } from './SignInLink';

/** The signed-in user as ME reads it. */
export type Me = NonNullable<MeQuery['me']>;

export function useMe() {
  const me = useQuery(ME);
  return { me: me.data?.me ?? null, loading: me.loading && !me.data, error: me.error };
}

/** The app's header: brand, navigation, who is signed in. `children` go in the middle (page titles, actions). */
export function TopBar({ children }: { children?: ReactNode }) {
  const { me, loading } = useMe();
  const [signOut] = useMutation(SIGN_OUT);
  return (
    <header className="topbar">
      <nav className="row" aria-label="Main">
        <Link href="/" className="brand">
          Circuit Workbench
        </Link>
        <Link href="/explore">Explore</Link>
        <Link href="/learn">Learn</Link>
        {me && (
          <>
            <Link href="/">Teams</Link>
            <Link href="/reviews">Reviews</Link>
            <Link href="/circuits/new">Compute a circuit</Link>
          </>
        )}
      </nav>
      <div className="row topbar-middle">{children}</div>
      <span className="row">
        <LabelSearch />
        {me ? (
          <>
            <InboxLink />
            <span data-testid="whoami">{me.displayName}</span>
            <button
              type="button"
              className="secondary"
              onClick={async () => {
                await signOut();
                window.location.assign('/signin');
              }}
            >
              Sign out
            </button>
          </>
        ) : loading ? null : (
          <SignInLink />
        )}
      </span>
    </header>
  );
}
