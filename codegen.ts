import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types from the schema (apps/server/src/graphql/schema.ts): the server's resolver map and the web app's operation
 * results and variables. `npm run codegen` after changing the schema or an operation; the output is committed and
 * tests/contract/codegen.test.ts fails when it is stale. Offline: the schema and documents are read from the source.
 */
const parents = '../parents.js';

const config: CodegenConfig = {
  schema: 'apps/server/src/graphql/schema.ts',
  emitLegacyCommonJSImports: false,
  silent: true,
  generates: {
    'apps/server/src/graphql/generated/resolvers-types.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        contextType: '../context.js#Context',
        // Resolvers return Dates and get Dates (the scalar turns them into ISO text and back).
        scalars: { DateTime: { input: 'Date', output: 'Date | string' }, JSON: 'unknown' },
        // What resolvers pass to a type's field resolvers: the Prisma rows (and service results) they return.
        mapperTypeSuffix: 'Parent',
        mappers: {
          ActivityEvent: `${parents}#ActivityEvent`,
          Circuit: `${parents}#Circuit`,
          CircuitVersion: `${parents}#CircuitVersion`,
          Comment: `${parents}#Comment`,
          Evidence: `${parents}#Evidence`,
          FeatureDashboard: `${parents}#FeatureDashboard`,
          FeatureLabel: `${parents}#FeatureLabel`,
          InvitationPreview: `${parents}#InvitationPreview`,
          Job: `${parents}#Job`,
          LabelRevision: `${parents}#LabelRevision`,
          Model: `${parents}#Model`,
          Notification: `${parents}#Notification`,
          Review: `${parents}#Review`,
          Sae: `${parents}#Sae`,
          ShareLink: `${parents}#ShareLink`,
          TeamInvitation: `${parents}#TeamInvitation`,
          User: `${parents}#User`,
          Team: `${parents}#TeamWithMyRole`,
          Transcoder: `${parents}#Transcoder`,
        },
      },
    },
    'apps/web/lib/generated/graphql.ts': {
      documents: ['apps/web/lib/*operations.ts'],
      plugins: ['typescript-operations'],
      config: {
        useTypeImports: true,
        // What the web receives: DateTime is ISO-8601 text; JSON whatever the field's description says.
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
