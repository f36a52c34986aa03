import { addTypenameToDocument } from '@apollo/client/utilities';
import {
  buildSchema,
  type DocumentNode,
  type GraphQLInputType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type OperationDefinitionNode,
  parse,
  print,
  specifiedRules,
  typeFromAST,
  validate,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { apiValidationRules, MAX_COST, MAX_TOKENS, queryCost } from '../../apps/server/src/graphql/limits.js';
import { typeDefs } from '../../apps/server/src/graphql/schema.js';
import * as operations from '../../apps/web/lib/operations.js';

const schema = buildSchema(typeDefs);

/** Some value of an input type: enough for the cost rule, which only reads `first` (always a literal here). */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).map((field) => [field.name, sample(field.type)]));
  }
  return { Int: 1, Float: 1, Boolean: false }[type.name] ?? 'x';
}

// Every operation the web app sends must be valid against the server's schema (fields, arguments, fragments) and
// within the server's limits and cheap enough for its cost limit (a page asking for too much would fail for everyone).
describe('web operations', () => {
  const documents = (Object.entries(operations) as [string, DocumentNode][]).filter(([, doc]) =>
    doc.definitions.some((d) => d.kind === 'OperationDefinition'),
  );

  it.each(documents)('%s is valid against the schema and within the cost limit', (_, doc) => {
    // The server's own rules too (depth, aliases), and its parser's token limit with room to spare.
    expect(validate(schema, doc, [...specifiedRules, ...apiValidationRules]).map((error) => error.message)).toEqual([]);
    expect(() => parse(print(addTypenameToDocument(doc)), { maxTokens: MAX_TOKENS / 4 })).not.toThrow();
    const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
    const variables = Object.fromEntries(
      (operation.variableDefinitions ?? []).map((v) => [
        v.variable.name.value,
        sample(typeFromAST(schema, v.type as never) as GraphQLInputType),
      ]),
    );
    // Apollo Client adds __typename to every selection set before sending: cost what is sent.
    expect(queryCost(schema, addTypenameToDocument(doc), variables)).toBeLessThanOrEqual(MAX_COST);
  });
});
