import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteRunner } from '../testing/database.js';
import { migrate } from './migrate.js';

/**
 * The migrations are hand-written SQL (no schema engine offline), so nothing else ties them to schema.prisma, from
 * which the Prisma client is generated. This test migrates an empty database and compares what it holds with the
 * schema's own data model (Prisma's DMMF, from its schema wasm): tables, columns with types and nullability, enums,
 * primary keys, unique and plain indexes, foreign keys. Each side is written as the same kind of fact lines, so a
 * failure reads as a diff of what to add to one side or the other.
 */

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object' | 'unsupported';
  type: string;
  isList: boolean;
  isRequired: boolean;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  fields: { name: string }[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName?: string | null; values: { name: string; dbName?: string | null }[] }[];
    indexes: DmmfIndex[];
  };
}

// Postgres type names (pg_type.typname) of Prisma's scalar types and of the @db native types this schema may use.
const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'int4',
  BigInt: 'int8',
  Float: 'float8',
  Decimal: 'numeric',
  Boolean: 'bool',
  DateTime: 'timestamp',
  Json: 'jsonb',
  Bytes: 'bytea',
};
const NATIVE_TYPES: Record<string, string> = {
  Uuid: 'uuid',
  Text: 'text',
  VarChar: 'varchar',
  Char: 'bpchar',
  Citext: 'citext',
  SmallInt: 'int2',
  Integer: 'int4',
  Real: 'float4',
  DoublePrecision: 'float8',
  Timestamp: 'timestamp',
  Timestamptz: 'timestamptz',
  Date: 'date',
  Json: 'json',
  JsonB: 'jsonb',
};

function schemaFacts(dmmf: Dmmf): string[] {
  const models = new Map(dmmf.datamodel.models.map((m) => [m.name, m]));
  const table = (model: DmmfModel) => model.dbName ?? model.name;
  const column = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`schema.prisma: ${model.name} has no field ${fieldName}`);
    return field.dbName ?? field.name;
  };
  const enumName = new Map(dmmf.datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const facts: string[] = [];
  for (const e of dmmf.datamodel.enums) {
    facts.push(`enum ${e.dbName ?? e.name} (${e.values.map((v) => v.dbName ?? v.name).join(', ')})`);
  }
  for (const model of models.values()) {
    facts.push(`table ${table(model)}`);
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (!field.relationFromFields?.length) continue;
        const target = models.get(field.type)!;
        const from = field.relationFromFields.map((f) => column(model, f));
        const to = (field.relationToFields ?? []).map((f) => column(target, f));
        facts.push(`foreign key ${table(model)}(${from.join(', ')}) -> ${table(target)}(${to.join(', ')})`);
        continue;
      }
      let type: string | undefined;
      if (field.kind === 'enum') type = enumName.get(field.type);
      else if (field.nativeType) type = NATIVE_TYPES[field.nativeType[0]];
      else type = SCALAR_TYPES[field.type];
      if (!type) throw new Error(`no Postgres type known for ${model.name}.${field.name}: extend this test's tables`);
      const nullable = field.isRequired ? 'not null' : 'null';
      facts.push(
        `column ${table(model)}.${field.dbName ?? field.name} ${field.isList ? `${type}[]` : type} ${nullable}`,
      );
    }
  }
  for (const index of dmmf.datamodel.indexes) {
    const model = models.get(index.model)!;
    const columns = index.fields.map((f) => column(model, f.name)).join(', ');
    const kind = { id: 'primary key', unique: 'unique index', normal: 'index', fulltext: 'fulltext index' }[index.type];
    facts.push(`${kind} ${table(model)}(${columns})`);
  }
  return facts.sort();
}

async function databaseFacts(db: PGlite): Promise<string[]> {
  const facts: string[] = [];
  const enums = await db.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
     FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = 'public' GROUP BY t.typname`,
  );
  for (const e of enums.rows) facts.push(`enum ${e.name} (${e.labels.join(', ')})`);
  const tables = await db.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_workbench_migrations'`,
  );
  for (const t of tables.rows) facts.push(`table ${t.name}`);
  const columns = await db.query<{ table_name: string; column_name: string; udt_name: string; is_nullable: string }>(
    `SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> '_workbench_migrations'`,
  );
  for (const c of columns.rows) {
    const type = c.udt_name.startsWith('_') ? `${c.udt_name.slice(1)}[]` : c.udt_name;
    facts.push(`column ${c.table_name}.${c.column_name} ${type} ${c.is_nullable === 'YES' ? 'null' : 'not null'}`);
  }
  const indexes = await db.query<{
    table_name: string;
    columns: string[];
    primary: boolean;
    unique: boolean;
    definition: string | null;
  }>(
    `SELECT tc.relname AS table_name, ix.indisprimary AS primary, ix.indisunique AS unique,
       array(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
       CASE WHEN ix.indexprs IS NOT NULL THEN pg_get_indexdef(ix.indexrelid) END AS definition
     FROM pg_index ix JOIN pg_class tc ON tc.oid = ix.indrelid JOIN pg_namespace ns ON ns.oid = tc.relnamespace
     WHERE ns.nspname = 'public' AND tc.relname <> '_workbench_migrations'`,
  );
  for (const i of indexes.rows) {
    if (i.definition) {
      facts.push(`expression index ${i.definition}`);
      continue;
    }
    const kind = i.primary ? 'primary key' : i.unique ? 'unique index' : 'index';
    facts.push(`${kind} ${i.table_name}(${i.columns.join(', ')})`);
  }
  const foreignKeys = await db.query<{ table_name: string; target: string; from: string[]; to: string[] }>(
    `SELECT c.conrelid::regclass::text AS table_name, c.confrelid::regclass::text AS target,
       array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS "from",
       array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n) AS "to"
     FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
     WHERE c.contype = 'f' AND ns.nspname = 'public'`,
  );
  for (const f of foreignKeys.rows) {
    facts.push(`foreign key ${f.table_name}(${f.from.join(', ')}) -> ${f.target}(${f.to.join(', ')})`);
  }
  return facts.map((fact) => fact.replaceAll('"', '')).sort();
}

/**
 * Indexes on expressions, which schema.prisma cannot state: each is in a migration on purpose, written out here as
 * Postgres prints it back, so one added or changed without this list is still a drift.
 */
const EXPRESSION_INDEXES = [
  // searchLabels' full-text index (migration 20261201163000_label_search).
  "expression index CREATE INDEX feature_labels_search_idx ON public.feature_labels USING gin (to_tsvector('english'::regconfig, ((name || ' '::text) || description)))",
];

describe('migrations and schema.prisma', () => {
  const db = new PGlite();
  beforeAll(async () => {
    await migrate(pgliteRunner(db));
  });
  afterAll(() => db.close());

  it('describe the same tables, columns, enums, keys and indexes', async () => {
    const schema = await readFile(new URL('../../../../prisma/schema.prisma', import.meta.url), 'utf8');
    const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schema]] }))) as Dmmf;
    const expected = [...schemaFacts(dmmf), ...EXPRESSION_INDEXES].sort();
    const actual = await databaseFacts(db);
    // Both directions in one assertion, so a failure lists what each side lacks.
    expect({
      missingFromMigrations: expected.filter((fact) => !actual.includes(fact)),
      missingFromSchema: actual.filter((fact) => !expected.includes(fact)),
    }).toEqual({ missingFromMigrations: [], missingFromSchema: [] });
    expect(expected.length).toBeGreaterThan(100);
  });
});
