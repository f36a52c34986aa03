'use client';

import { ApolloProvider } from '@apollo/client/react';
import { type ReactNode, useState } from 'react';
import { makeApolloClient } from '../lib/apollo';

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(makeApolloClient);
  return <ApolloProvider client={client}>{children}</ApolloProvider>;
}
