'use client';

import { useMutation } from '@apollo/client/react';
import Link from 'next/link';
import { type FormEvent, useEffect, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { safeNextPath } from '../../lib/next-path';
import { SIGN_IN, SIGN_UP } from '../../lib/operations';

type Mode = 'signin' | 'signup';

export default function SignInPage() {
  const [mode, setMode] = useState<Mode>('signin');
  const [error, setError] = useState<string | null>(null);
  const [signIn, signInState] = useMutation(SIGN_IN);
  const [signUp, signUpState] = useMutation(SIGN_UP);
  const busy = signInState.loading || signUpState.loading;
  // Read after mounting (no Suspense boundary needed): ?mode=signup opens account creation.
  useEffect(() => {
    if (new URLSearchParams(window.location.search).get('mode') === 'signup') setMode('signup');
  }, []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '');
    const password = String(form.get('password') ?? '');
    try {
      if (mode === 'signup') {
        await signUp({ variables: { input: { email, password, displayName: String(form.get('displayName') ?? '') } } });
      } else {
        await signIn({ variables: { input: { email, password } } });
      }
      // The session cookie changed: start from a fresh cache. `next` is followed only within this site.
      window.location.assign(safeNextPath(new URLSearchParams(window.location.search).get('next')));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  return (
    <main>
      <div className="card" style={{ maxWidth: 420, margin: '3rem auto' }}>
        <h1 style={{ marginTop: 0 }}>Circuit Workbench</h1>
        <div className="tabs" role="tablist">
          <button type="button" role="tab" aria-selected={mode === 'signin'} onClick={() => setMode('signin')}>
            Sign in
          </button>
          <button type="button" role="tab" aria-selected={mode === 'signup'} onClick={() => setMode('signup')}>
            Create account
          </button>
        </div>
        <form className="stack" onSubmit={onSubmit} key={mode}>
          {mode === 'signup' && (
            <label>
              Display name
              <input name="displayName" autoComplete="name" required />
            </label>
          )}
          <label>
            Email
            <input name="email" type="email" autoComplete="email" required />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
              required
            />
          </label>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {mode === 'signup' ? 'Create account' : 'Sign in'}
          </button>
        </form>
        <p className="muted" style={{ fontSize: '0.85rem' }}>
          {mode === 'signup' ? 'Passwords need at least 10 characters.' : 'New here? Create an account.'}
        </p>
        <p className="muted" style={{ fontSize: '0.85rem' }}>
          Or look around first: the <Link href="/explore">feature explorer</Link> needs no account.
        </p>
      </div>
    </main>
  );
}
