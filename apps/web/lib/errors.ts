import { CombinedGraphQLErrors } from '@apollo/client/errors';

/** The human message of the first GraphQL error, or a generic one for network failures. */
export function errorMessage(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) return error.errors[0]?.message ?? 'Request failed';
  if (error instanceof Error) return error.message;
  return 'Request failed';
}

/** The extensions of the first GraphQL error (code, field, latestVersion, ...), if the error came from the API. */
export function errorExtensions(error: unknown): Record<string, unknown> | undefined {
  if (CombinedGraphQLErrors.is(error)) return error.errors[0]?.extensions as Record<string, unknown> | undefined;
  return undefined;
}
