import { GraphQLScalarType } from 'graphql';
import { GraphQLDateTimeISO } from 'graphql-scalars';

/**
 * The schema's DateTime: graphql-scalars' DateTimeISO under the schema's name. Out: a Date (or an RFC 3339 string)
 * as `toISOString()` text, which the web parses as before; in: RFC 3339 text as a Date, anything else a GraphQLError
 * that Apollo reports as BAD_USER_INPUT naming the variable's path (`at "input.expiresAt"`).
 */
export const DateTimeScalar = new GraphQLScalarType({ ...GraphQLDateTimeISO.toConfig(), name: 'DateTime' });

/** Any JSON value, in and out (graphql-scalars' JSON, the graphql-type-json algorithm). */
export { GraphQLJSON as JSONScalar } from 'graphql-scalars';
