'use client';

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';

/** One client per browser tab: queries over HTTP, subscriptions over graphql-ws, both at same-origin /graphql. */
export function makeApolloClient(): ApolloClient {
  const http = new HttpLink({ uri: '/graphql', credentials: 'same-origin' });
  if (typeof window === 'undefined') return new ApolloClient({ link: http, cache: new InMemoryCache() });
  const ws = new GraphQLWsLink(
    createClient({ url: `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql` }),
  );
  const link = ApolloLink.split(({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION, ws, http);
  return new ApolloClient({ link, cache: new InMemoryCache() });
}
