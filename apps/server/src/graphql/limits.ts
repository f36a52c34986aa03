import { createRequire } from 'node:module';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  getVariableValues,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { AppError } from '../services/errors.js';

// graphql-query-complexity's ESM build imports graphql's .mjs files, a second copy of graphql beside the CommonJS
// one Apollo uses ("another module or realm"); its CommonJS build shares Apollo's copy.
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)(
  'graphql-query-complexity',
) as typeof import('graphql-query-complexity');

/** Deeper queries are refused before they run (a circuit's reviews' circuit's reviews ... would loop). */
export const MAX_DEPTH = 10;
/** Aliased fields in one document: each alias is a separate run of its field, so they multiply work. */
export const MAX_ALIASES = 100;
/** Fragments spread inside fragments, this deep at most (a chain of them would otherwise recurse without end). */
const MAX_FRAGMENT_NESTING = 50;
/**
 * Tokens in one document, checked while parsing: bounds the parser's work and graphql's validation, some of whose
 * rules are quadratic (same-named fields are compared pairwise). The web app's largest operation has under 2,500.
 */
export const MAX_TOKENS = 10_000;
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

/**
 * The depth of each operation, in fields (introspection's `__` fields do not count). Safe on any document that
 * the parser accepts: a fragment's depth is computed once (no blow-up when fragments spread each other many
 * times), a fragment cycle or an unknown fragment counts as 0 (graphql's own rules report those), and the walk stops
 * one level past the limit.
 */
export function depthLimitRule(maxDepth = MAX_DEPTH): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const fragmentDepths = new Map<string, number>();
    const visiting = new Set<string>();
    const fragmentDepth = (name: string): number => {
      const known = fragmentDepths.get(name);
      if (known !== undefined) return known;
      const fragment = fragments.get(name);
      if (!fragment || visiting.has(name)) return 0;
      if (visiting.size >= MAX_FRAGMENT_NESTING) return maxDepth + 1;
      visiting.add(name);
      const depth = depthOf(fragment.selectionSet, 0);
      visiting.delete(name);
      fragmentDepths.set(name, depth);
      return depth;
    };
    // `above`: fields between this selection set and the operation, to stop once the limit is passed.
    const depthOf = (set: SelectionSetNode, above: number): number => {
      if (above > maxDepth) return 0;
      let deepest = 0;
      for (const selection of set.selections) {
        const depth =
          selection.kind === Kind.FIELD
            ? selection.selectionSet && !selection.name.value.startsWith('__')
              ? 1 + depthOf(selection.selectionSet, above + 1)
              : 0
            : selection.kind === Kind.INLINE_FRAGMENT
              ? depthOf(selection.selectionSet, above)
              : fragmentDepth(selection.name.value);
        deepest = Math.max(deepest, depth);
        if (above + deepest > maxDepth) break;
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, 0);
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`Query is nested more than ${maxDepth} levels deep; ask for less at a time`, {
              nodes: operation,
            }),
          );
        }
      },
    };
  };
}

/** At most `max` aliased fields in a document. */
export function aliasLimitRule(max = MAX_ALIASES): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(field) {
        if (field.alias && ++aliases === max + 1) {
          context.reportError(new GraphQLError(`More than ${max} aliased fields in one request`, { nodes: field }));
        }
      },
    };
  };
}

const NUL_MESSAGE = 'may not contain the NUL character (U+0000)';

/**
 * Postgres keeps no U+0000 in text or jsonb: a string holding one would fail in the database (an internal error),
 * so it is refused up front. This rule covers the document's string literals; variables: nulCharacterRefusal.
 */
export function nulCharacterRule(): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    StringValue(node) {
      if (node.value.includes('\0')) context.reportError(new GraphQLError(`A string ${NUL_MESSAGE}`, { nodes: node }));
    },
  });
}

/** Whether a value holds U+0000 in a string or an object key, however deep (walked without recursion). */
function holdsNulCharacter(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (item.includes('\0')) return true;
    } else if (Array.isArray(item)) {
      for (const inner of item) stack.push(inner);
    } else if (item && typeof item === 'object') {
      for (const [key, inner] of Object.entries(item)) {
        if (key.includes('\0')) return true;
        stack.push(inner);
      }
    }
  }
  return false;
}

/** The refusal for variables holding U+0000 (see nulCharacterRule), naming the first such variable; else undefined. */
export function nulCharacterRefusal(variables: Record<string, unknown> | undefined): string | undefined {
  for (const [name, value] of Object.entries(variables ?? {})) {
    if (holdsNulCharacter(value)) return `Variable $${name} ${NUL_MESSAGE}`;
  }
  return undefined;
}

/** Run after graphql's own rules (Apollo adds these to specifiedRules): shape limits, safe on invalid documents. */
export const apiValidationRules: ValidationRule[] = [depthLimitRule(), aliasLimitRule(), nulCharacterRule()];

/** A plugin's refusal of the client's input. */
const refused = (message: string, extensions: Record<string, unknown> = {}) =>
  new AppError('BAD_USER_INPUT', message, {
    ...extensions,
    // http: Apollo answers with this status (400, not the 500 of an error thrown in a plugin) and drops it from
    // the error it sends.
    http: { status: 400 },
  });

/**
 * Refuses variables holding U+0000 (nulCharacterRefusal) and operations over MAX_COST before they run. Runs once Apollo has resolved the operation, but not yet
 * coerced its variables: a request that names no operation or has bad variables is left for execution to
 * refuse (a 400 with Apollo's own codes), and the cost counter's own refusals (too many nodes) are the client's.
 */
export function costLimitPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ request, document, operation }) => {
        if (!operation) return;
        const nul = nulCharacterRefusal(request.variables);
        if (nul) throw refused(nul);
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
        if (coerced.errors) return;
        let cost: number;
        try {
          cost = queryCost(schema, document, request.variables, operation.name?.value);
        } catch (error) {
          if (error instanceof GraphQLError) throw refused(`Query refused: ${error.message}`);
          throw error;
        }
        if (cost > MAX_COST) {
          throw refused(`Query costs ${cost}, more than the limit of ${MAX_COST}; ask for less`, {
            cost,
            limit: MAX_COST,
          });
        }
      },
    }),
  };
}
