'use client';

import { useApolloClient } from '@apollo/client/react';
import { useCallback } from 'react';
import { CIRCUIT } from '../../lib/operations';
import type { VersionData } from './types';

/** Reads one version of a circuit from the server (never the cache: it is the version someone just saved). */
export function useVersionFetcher(slug: string): (number: number) => Promise<VersionData> {
  const client = useApolloClient();
  return useCallback(
    async (number: number) => {
      const result = await client.query({
        query: CIRCUIT,
        variables: { slug, number },
        fetchPolicy: 'network-only',
      });
      const version = result.data?.circuit?.version;
      if (!version) throw new Error(`version ${number} of ${slug} was not found`);
      return version;
    },
    [client, slug],
  );
}
