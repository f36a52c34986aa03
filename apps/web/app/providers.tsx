'use client';

import { ApolloProvider } from '@apollo/client/react';
import { type ReactNode, useState } from 'react';
import { makeApolloClient } from '../lib/apollo';
import { useLinkNavigationNotes } from '../lib/navigation';

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(makeApolloClient);
  useLinkNavigationNotes();
  return <ApolloProvider client={client}>{children}</ApolloProvider>;
}
