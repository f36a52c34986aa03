'use client';

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { getShareToken } from './share';

/** Adds the current share token (a circuit opened by link) as the x-share-token header the API reads. */
const fetchWithShare: typeof fetch = (input, init = {}) => {
  const token = getShareToken();
  if (!token) return fetch(input, init);
  const headers = new Headers(init.headers);
  headers.set('x-share-token', token);
  return fetch(input, { ...init, headers });
};

function cache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      // Versions have no id of their own: key them by number within the circuit's query.
      CircuitVersion: { keyFields: false },
      Agreement: { keyFields: false },
      Member: { keyFields: false },
      Circuit: {
        fields: {
          reviews: { merge: false },
          shareLinks: { merge: false },
          versions: { merge: false },
        },
      },
      Team: { fields: { members: { merge: false }, activity: { merge: false } } },
      FeatureLabel: { fields: { revisions: { merge: false } } },
    },
  });
}

/** One client per browser tab: queries over HTTP, subscriptions over graphql-ws, both at same-origin /graphql. */
export function makeApolloClient(): ApolloClient {
  const http = new HttpLink({ uri: '/graphql', credentials: 'same-origin', fetch: fetchWithShare });
  if (typeof window === 'undefined') return new ApolloClient({ link: http, cache: cache() });
  const ws = new GraphQLWsLink(
    createClient({
      url: `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`,
      connectionParams: () => {
        const shareToken = getShareToken();
        return shareToken ? { shareToken } : {};
      },
    }),
  );
  const link = ApolloLink.split(({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION, ws, http);
  return new ApolloClient({ link, cache: cache() });
}
