import { createRequire } from 'node:module';
import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { AppError } from '../services/errors.js';

// graphql-query-complexity's ESM build imports graphql's .mjs files, a second copy of graphql beside the CommonJS
// one Apollo uses ("another module or realm"); its CommonJS build shares Apollo's copy.
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)(
  'graphql-query-complexity',
) as typeof import('graphql-query-complexity');

/** Deeper queries are refused before they run (a circuit's reviews' circuit's reviews ... would loop). */
export const MAX_DEPTH = 10;
/** One point per field; list fields count once per item the `first` argument asks for. */
export const MAX_COST = Number(process.env.GRAPHQL_MAX_COST ?? 5000);

/** The cost of an operation, by the rule above (variables fill in `first` where it is not a literal). */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> = {},
  operationName?: string,
): number {
  return getComplexity({
    schema,
    query: document,
    operationName,
    variables,
    estimators: [
      fieldExtensionsEstimator(),
      ({ args, childComplexity }) =>
        typeof args.first === 'number' ? 1 + args.first * Math.max(1, childComplexity) : undefined,
      simpleEstimator({ defaultComplexity: 1 }),
    ],
  });
}

export function costLimitPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ request, document }) => {
        const cost = queryCost(schema, document, request.variables, request.operationName);
        if (cost > MAX_COST) {
          throw new AppError(
            'BAD_USER_INPUT',
            `Query costs ${cost}, more than the limit of ${MAX_COST}; ask for less`,
            // http: Apollo answers with this status (400, not the 500 of an error thrown in a plugin) and drops it
            // from the error it sends.
            { cost, limit: MAX_COST, http: { status: 400 } },
          );
        }
      },
    }),
  };
}
