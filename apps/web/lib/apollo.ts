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
      Team: {
        fields: {
          members: { merge: false },
          activity: { merge: false },
          circuits: { merge: false },
          labels: { merge: false },
        },
      },
      FeatureLabel: { fields: { revisions: { merge: false } } },
    },
  });
}

/** One client per browser tab: queries over HTTP, subscriptions over graphql-ws, both at same-origin /graphql. */
export function makeApolloClient(): ApolloClient {
  const http = new HttpLink({ uri: '/graphql', credentials: 'same-origin', fetch: fetchWithShare });
  if (typeof window === 'undefined') return new ApolloClient({ link: http, cache: cache() });
  let connections = 0;
  const ws = new GraphQLWsLink(
    createClient({
      url: `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`,
      connectionParams: () => {
        const shareToken = getShareToken();
        return shareToken ? { shareToken } : {};
      },
      // A tab left open outlives server restarts: keep reconnecting, waiting 1, 2, 4, then at most 5 s (plus up to
      // 1 s of jitter, so tabs do not all come back at once).
      retryAttempts: Number.POSITIVE_INFINITY,
      // Also after a failed connection attempt (the server still down), not only after a close: graphql-ws's
      // default gives up on those.
      shouldRetry: () => true,
      retryWait: (retries) =>
        new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** retries, 5000) + Math.random() * 1000)),
      on: {
        // Events sent while the socket was down are gone: after a reconnect, what is on screen is fetched again.
        connected: () => {
          if (connections++ > 0) void client.refetchQueries({ include: 'active' });
        },
      },
    }),
  );
  const link = ApolloLink.split(({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION, ws, http);
  const client = new ApolloClient({ link, cache: cache() });
  return client;
}
