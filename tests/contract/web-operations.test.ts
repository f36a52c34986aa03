import { buildSchema, type DocumentNode, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { typeDefs } from '../../apps/server/src/graphql/schema.js';
import * as operations from '../../apps/web/lib/operations.js';

// Every operation the web app sends must be valid against the server's schema (fields, arguments, fragments).
describe('web operations', () => {
  const schema = buildSchema(typeDefs);
  const documents = Object.entries(operations) as [string, DocumentNode][];

  it.each(documents.filter(([, doc]) => doc.definitions.some((d) => d.kind === 'OperationDefinition')))(
    '%s is valid against the schema',
    (_, doc) => {
      expect(validate(schema, doc).map((error) => error.message)).toEqual([]);
    },
  );
});
