import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { AppError } from '../services/errors.js';

const INTERNAL: GraphQLFormattedError = {
  message: 'Internal server error',
  extensions: { code: 'INTERNAL_SERVER_ERROR' },
};

/**
 * The field a variable-coercion error is about, named as the services name theirs (extensions.field): graphql-js says
 * `Variable "$i" got invalid value "tomorrow" at "i.expiresAt"; …` (the field: expiresAt), or without `at` for the
 * variable itself, or one missing or null (the field: the variable's name).
 */
function variableField(message: string): string | null {
  const match =
    /^Variable "\$(\w+)" (?:of (?:required|non-null) type |got invalid value [^;]*?(?: at "\1\.([^"]+)")?; )/.exec(
      message,
    );
  return match ? (match[2] ?? match[1]!) : null;
}

/**
 * What a client may see of an error, for HTTP (Apollo's formatError) and WebSocket alike. Errors the services raise
 * on purpose (AppError) and request errors that carry a code pass; anything else is a bug: logged, shown as
 * "Internal server error" without internals.
 */
export function maskError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const code = formatted.extensions?.code;
  // The parser recurses per nesting level: a document nested thousands deep (within MAX_TOKENS) overflows it.
  if (code === 'GRAPHQL_PARSE_FAILED' && /call stack/.test(formatted.message)) {
    return { message: 'Query is nested too deeply to parse', extensions: { code } };
  }
  // graphql-js stops coercing variables after 50 errors and adds this one without a code (Apollo then calls it
  // internal): it is still the client's input.
  if (formatted.message.startsWith('Too many errors processing variables')) {
    return { ...formatted, extensions: { code: 'BAD_USER_INPUT' } };
  }
  if (code === 'BAD_USER_INPUT' && formatted.extensions?.field === undefined) {
    const field = variableField(formatted.message);
    if (field) return { ...formatted, extensions: { ...formatted.extensions, field } };
  }
  if (original instanceof AppError || (code !== undefined && code !== 'INTERNAL_SERVER_ERROR')) return formatted;
  console.error('unexpected error', original);
  return INTERNAL;
}
