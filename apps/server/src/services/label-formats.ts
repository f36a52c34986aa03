// Reading label files made elsewhere (Neuronpedia explanations, saprmarks/feature-circuits annotations, our own
// export as JSON or CSV, spreadsheets) into rows of labels to propose, and writing a team's labels as CSV. Every
// problem names its line and field.
import { KNOWN_MODELS, KNOWN_SAE_SETS } from '@workbench/analysis';
import { CsvError, parse as parseCsvText } from 'csv-parse/sync';

export type LabelImportFormat = 'NEURONPEDIA' | 'FEATURE_CIRCUITS' | 'WORKBENCH' | 'CSV';

/** One label a file proposes, mapped to our feature ids; `source` says where it came from. */
export interface ImportRow {
  line: number;
  modelId: string;
  saeId: string;
  featureIndex: number;
  name: string;
  description: string;
  source: Record<string, unknown>;
}

/** A line of the file that cannot be imported, and the field that is wrong. */
export interface ImportProblem {
  line: number;
  field: string;
  message: string;
}

export interface ParsedFile {
  rows: ImportRow[];
  errors: ImportProblem[];
  /** Records that propose nothing (a Neuronpedia feature without explanations), reported rather than dropped. */
  empty: ImportProblem[];
  /** Reading stopped past this many rows (CSV): the file has more than an import may create. */
  rowsOver?: number;
}

/** The models and SAEs this server runs (ModelService): where a mapped feature can be checked. */
export interface ImportCatalog {
  models(): { id: string }[];
  saesOf(modelId: string): { id: string; hook: string; dSae: number }[];
}

export const MAX_LABEL_NAME = 120;
export const MAX_LABEL_DESCRIPTION = 5000;

const lineAt = (text: string, offset: number) => {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
};

class FileError extends Error {
  constructor(readonly problem: ImportProblem) {
    super(problem.message);
  }
}

/**
 * Where JSON text first breaks the grammar (JSON.parse's messages give no position for most errors): a recursive
 * descent that only checks. The text is known not to parse, so some offset is always found.
 */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const space = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const string = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 32) fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      while (true) {
        if (c === '{') {
          space();
          string();
          space();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!literal) fail();
    i += literal![0].length;
  };
  try {
    value();
    space();
    return i;
  } catch (offset) {
    // A number: where it broke; anything else (nesting too deep for the stack): say the first line.
    return typeof offset === 'number' ? offset : 0;
  }
}

/** JSON.parse, with a syntax error reported at its line. */
function parseJsonAt(text: string, firstLine: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const offset = jsonErrorOffset(text);
    const column = offset - text.lastIndexOf('\n', offset - 1);
    // V8's own words for what is wrong, less its offset into the whole text (the line and column say where).
    const why = (error as Error).message.replace(/ in JSON at position \d+.*$/s, '').replace(/, (\.\.\.)?".*$/s, '');
    throw new FileError({
      line: firstLine - 1 + lineAt(text, offset),
      field: 'json',
      message: `not valid JSON at column ${column}: ${why}`,
    });
  }
}

/**
 * The line each element of the document's record array starts on: the top-level array, or the array under
 * `key` of a top-level object. A small scanner (strings and nesting only), as JSON.parse keeps no positions.
 */
function recordLines(text: string, key: string | null): number[] {
  const lines: number[] = [];
  // Each open container: its kind, the key it sits under in its parent, and (objects) the last key read.
  const stack: { kind: '[' | '{'; under: string | null; lastKey: string | null; elementStarts: boolean }[] = [];
  let line = 1;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    const top = stack[stack.length - 1];
    const isRecordArray =
      top?.kind === '[' && (key === null ? stack.length === 1 : stack.length === 2 && top.under === key);
    if (top?.kind === '[' && top.elementStarts && c !== ']') {
      if (isRecordArray) lines.push(line);
      top.elementStarts = false;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.kind === '{' && expectKey) {
        top.lastKey = text.slice(i + 1, j);
        expectKey = false;
      }
      i = j;
    } else if (c === '[' || c === '{') {
      stack.push({ kind: c, under: top?.kind === '{' ? top.lastKey : null, lastKey: null, elementStarts: c === '[' });
      expectKey = c === '{';
    } else if (c === ']' || c === '}') {
      stack.pop();
    } else if (c === ',') {
      if (top?.kind === '[') top.elementStarts = true;
      else expectKey = true;
    }
  }
  return lines;
}

/** Records of a JSON document (an array, one object, or an object's `key` array) or of JSON Lines, with lines. */
function records(text: string, key: string | null): { line: number; value: unknown; problem?: ImportProblem }[] {
  const trimmed = text.trim();
  if (!trimmed) throw new FileError({ line: 1, field: 'file', message: 'the file is empty' });
  const lines = text.split('\n');
  const nonEmpty = lines.filter((l) => l.trim()).length;
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    // One JSON value per line (JSON Lines), or a broken document: a single line or one not starting a record.
    const first = lines.find((l) => l.trim())!.trim();
    if (nonEmpty > 1 && first.startsWith('{') && first.endsWith('}')) {
      return lines.flatMap((l, i) => {
        if (!l.trim()) return [];
        try {
          return [{ line: i + 1, value: parseJsonAt(l, i + 1) }];
        } catch (error) {
          if (!(error instanceof FileError)) throw error;
          return [{ line: i + 1, value: undefined, problem: error.problem }];
        }
      });
    }
    parseJsonAt(text, 1);
  }
  const startLine = lineAt(text, text.length - text.trimStart().length);
  if (Array.isArray(whole)) {
    const at = recordLines(text, null);
    return whole.map((value, i) => ({ line: at[i] ?? startLine, value }));
  }
  if (key !== null && isObject(whole) && Array.isArray(whole[key])) {
    const at = recordLines(text, key);
    return (whole[key] as unknown[]).map((value, i) => ({ line: at[i] ?? startLine, value }));
  }
  return [{ line: startLine, value: whole }];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A non-negative integer given as a number or a string of digits (both occur in the real files). */
function indexOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,9}$/.test(value.trim())) return Number(value.trim());
  return null;
}

/** Name and description from one text: a long explanation keeps its whole text in the description. */
function nameAndDescription(text: string, description: string): { name: string; description: string } {
  const clean = text.trim().replace(/\s+/g, ' ');
  if (clean.length <= MAX_LABEL_NAME) return { name: clean, description: description.trim() };
  const name = `${clean.slice(0, MAX_LABEL_NAME - 1).trimEnd()}…`;
  return { name, description: [clean, description.trim()].filter(Boolean).join('\n\n') };
}

type Mapped = { modelId: string; saeId: string } | { field: string; message: string };

/** Our model id for a Neuronpedia one (gpt2-small and its aliases are the hub's gpt2-small); others as given. */
function ourModelId(neuronpediaModelId: string): string {
  const known = Object.values(KNOWN_MODELS).find(
    (m) => m.id === neuronpediaModelId || m.aliases.includes(neuronpediaModelId),
  );
  return known?.id ?? neuronpediaModelId;
}

/**
 * Neuronpedia's source ids are `{layer}-{set}` (6-res-jb). A set the hub knows (KNOWN_SAE_SETS) names our SAE
 * (res-jb layer 6: gpt2-small-res-jb/blocks.6.hook_resid_pre). A model this server does not run keeps
 * Neuronpedia's source id as the SAE id, as labels of unknown models are taken as given (checkFeatureExists).
 */
function mapNeuronpediaSource(catalog: ImportCatalog, npModelId: string, layer: string): Mapped {
  const modelId = ourModelId(npModelId);
  const match = /^(\d+)-(.+)$/.exec(layer);
  if (!match) return { field: 'layer', message: `"${layer}" is not a Neuronpedia source id such as 6-res-jb` };
  const [, layerNumber, setName] = match;
  const set = Object.values(KNOWN_SAE_SETS).find((s) => s.name === setName && s.model === modelId);
  if (set) {
    const sae = set.saes.find((s) => s.layer === Number(layerNumber));
    if (sae) return { modelId, saeId: sae.id };
    const known = set.saes.map((s) => s.layer).join(', ');
    return { field: 'layer', message: `${set.name} has no layer ${layerNumber} (its layers: ${known})` };
  }
  if (catalog.models().some((m) => m.id === modelId)) {
    const sets = Object.values(KNOWN_SAE_SETS)
      .filter((s) => s.model === modelId)
      .map((s) => s.name);
    const known = sets.length ? ` (known sets: ${sets.join(', ')})` : '';
    return { field: 'layer', message: `no SAE of ${modelId} corresponds to Neuronpedia's "${layer}"${known}` };
  }
  return { modelId, saeId: layer };
}

/** A mapped feature of a model this server runs must be one of its SAEs' features. */
function checkServed(catalog: ImportCatalog, modelId: string, saeId: string, index: number, indexField: string) {
  if (!catalog.models().some((m) => m.id === modelId)) return null;
  const sae = catalog.saesOf(modelId).find((s) => s.id === saeId);
  if (!sae) return { field: 'layer', message: `this server's ${modelId} has no SAE ${saeId}` };
  if (index >= sae.dSae) {
    return { field: indexField, message: `${saeId} has ${sae.dSae} features (0 to ${sae.dSae - 1}), not ${index}` };
  }
  return null;
}

/**
 * Neuronpedia: feature JSON files (a feature, or an array of them: modelId, layer, index, explanations[] of
 * {description, typeName, explanationModelName, authorId}), JSON Lines of them, or its flat explanation exports
 * (each record an explanation with modelId, layer, index, description). Each explanation is one proposed label.
 */
export function parseNeuronpedia(text: string, catalog: ImportCatalog): ParsedFile {
  const out: ParsedFile = { rows: [], errors: [], empty: [] };
  for (const { line, value } of safeRecords(text, null, out)) {
    const fail = (field: string, message: string) => out.errors.push({ line, field, message });
    if (!isObject(value)) {
      fail('record', 'must be a JSON object (a Neuronpedia feature or explanation)');
      continue;
    }
    const { modelId, layer } = value;
    if (typeof modelId !== 'string' || !modelId.trim()) {
      fail('modelId', 'must be a non-empty string such as gpt2-small');
      continue;
    }
    if (typeof layer !== 'string' || !layer.trim()) {
      fail('layer', 'must be a Neuronpedia source id such as 6-res-jb');
      continue;
    }
    const index = indexOf(value.index);
    if (index === null) {
      fail('index', `must be a non-negative integer, not ${JSON.stringify(value.index)}`);
      continue;
    }
    const mapped = mapNeuronpediaSource(catalog, modelId.trim(), layer.trim());
    if ('field' in mapped) {
      fail(mapped.field, mapped.message);
      continue;
    }
    const unserved = checkServed(catalog, mapped.modelId, mapped.saeId, index, 'index');
    if (unserved) {
      fail(unserved.field, unserved.message);
      continue;
    }
    const flat = !('explanations' in value);
    const explanations = flat ? [value] : value.explanations;
    if (!Array.isArray(explanations)) {
      fail('explanations', 'must be an array of explanations');
      continue;
    }
    if (!explanations.length) {
      out.empty.push({ line, field: 'explanations', message: 'the feature has no explanations' });
      continue;
    }
    explanations.forEach((explanation, i) => {
      const field = flat ? 'description' : `explanations[${i}].description`;
      const description = isObject(explanation) ? explanation.description : undefined;
      if (typeof description !== 'string' || !description.trim()) {
        fail(field, 'must be a non-empty string');
        return;
      }
      const e = explanation as Record<string, unknown>;
      const text = nameAndDescription(description, '');
      out.rows.push({
        line,
        ...mapped,
        featureIndex: index,
        ...text,
        source: {
          format: 'NEURONPEDIA',
          line,
          neuronpedia: { modelId, layer, index: String(index) },
          ...(typeof e.id === 'string' ? { explanationId: e.id } : {}),
          ...(typeof e.typeName === 'string' ? { typeName: e.typeName } : {}),
          ...(typeof e.explanationModelName === 'string' ? { explanationModelName: e.explanationModelName } : {}),
          ...(typeof e.authorId === 'string' ? { authorId: e.authorId } : {}),
        },
      });
    });
  }
  return out;
}

/** feature-circuits' components and the TransformerLens hook each dictionary reads (embed: the token embedding). */
const COMPONENT_HOOKS: Record<string, (layer: number) => string> = {
  resid: (layer) => `blocks.${layer}.hook_resid_post`,
  attn: (layer) => `blocks.${layer}.hook_attn_out`,
  mlp: (layer) => `blocks.${layer}.hook_mlp_out`,
  embed: () => 'hook_embed',
};

/** The SAE prefix of features of a model this server does not run: the hook is what the file says. */
export const FEATURE_CIRCUITS_SAE_PREFIX = 'feature-circuits';

/**
 * saprmarks/feature-circuits annotations: JSON Lines of {Component, Layer, Feature, Name, Annotation, Notes}; the
 * file does not say its model, so the importer names it. Component and Layer pick the SAE on that hook.
 */
export function parseFeatureCircuits(text: string, modelId: string, catalog: ImportCatalog): ParsedFile {
  const out: ParsedFile = { rows: [], errors: [], empty: [] };
  const served = catalog.models().some((m) => m.id === modelId);
  for (const { line, value } of safeRecords(text, null, out)) {
    const fail = (field: string, message: string) => out.errors.push({ line, field, message });
    if (!isObject(value)) {
      fail('record', 'must be a JSON object with Component, Layer, Feature and Annotation');
      continue;
    }
    const component = typeof value.Component === 'string' ? value.Component.trim() : value.Component;
    const hookOf = typeof component === 'string' ? COMPONENT_HOOKS[component] : undefined;
    if (!hookOf) {
      fail('Component', `must be one of ${Object.keys(COMPONENT_HOOKS).join(', ')}, not ${JSON.stringify(component)}`);
      continue;
    }
    const layer = component === 'embed' ? 0 : indexOf(value.Layer);
    if (layer === null) {
      fail('Layer', `must be a layer number for ${component}, not ${JSON.stringify(value.Layer)}`);
      continue;
    }
    const index = indexOf(value.Feature);
    if (index === null) {
      fail('Feature', `must be a non-negative integer, not ${JSON.stringify(value.Feature)}`);
      continue;
    }
    if (typeof value.Annotation !== 'string' || !value.Annotation.trim()) {
      fail('Annotation', 'must be a non-empty string');
      continue;
    }
    const hook = hookOf(layer);
    let saeId = `${FEATURE_CIRCUITS_SAE_PREFIX}/${hook}`;
    if (served) {
      const saes = catalog.saesOf(modelId).filter((s) => s.hook === hook);
      if (saes.length !== 1) {
        const why = saes.length
          ? `has ${saes.length} SAEs on ${hook} (${saes.map((s) => s.id).join(', ')})`
          : `has no SAE on ${hook}`;
        fail(component === 'embed' ? 'Component' : 'Layer', `model ${modelId} ${why}`);
        continue;
      }
      saeId = saes[0]!.id;
      const unserved = checkServed(catalog, modelId, saeId, index, 'Feature');
      if (unserved) {
        fail(unserved.field, unserved.message);
        continue;
      }
    }
    const notes = typeof value.Notes === 'string' ? value.Notes : '';
    out.rows.push({
      line,
      modelId,
      saeId,
      featureIndex: index,
      ...nameAndDescription(value.Annotation, notes),
      source: {
        format: 'FEATURE_CIRCUITS',
        line,
        featureCircuits: {
          Component: component,
          Layer: value.Layer,
          Feature: value.Feature,
          ...(typeof value.Name === 'string' ? { Name: value.Name } : {}),
        },
      },
    });
  }
  return out;
}

/** Why a label's name or description cannot be imported (empty name, either too long), or null. */
function labelTextProblem(
  name: string,
  description: string,
): { column: 'name' | 'description'; message: string } | null {
  if (!name) return { column: 'name', message: 'must not be empty' };
  if (name.length > MAX_LABEL_NAME)
    return { column: 'name', message: `must be at most ${MAX_LABEL_NAME} characters, not ${name.length}` };
  if (description.length > MAX_LABEL_DESCRIPTION)
    return {
      column: 'description',
      message: `must be at most ${MAX_LABEL_DESCRIPTION} characters, not ${description.length}`,
    };
  return null;
}

/** Our own JSON export (exportLabels): each label proposed again, its id and team kept as the source. */
export function parseWorkbench(text: string, catalog: ImportCatalog): ParsedFile {
  const out: ParsedFile = { rows: [], errors: [], empty: [] };
  for (const { line, value } of safeRecords(text, 'labels', out)) {
    const fail = (field: string, message: string) => out.errors.push({ line, field, message });
    if (!isObject(value)) {
      fail('labels', 'each label must be a JSON object');
      continue;
    }
    const { modelId, saeId, name } = value;
    if (typeof modelId !== 'string' || !modelId.trim()) {
      fail('modelId', 'must be a non-empty string');
      continue;
    }
    if (typeof saeId !== 'string' || !saeId.trim()) {
      fail('saeId', 'must be a non-empty string');
      continue;
    }
    const index = indexOf(value.featureIndex);
    if (index === null) {
      fail('featureIndex', `must be a non-negative integer, not ${JSON.stringify(value.featureIndex)}`);
      continue;
    }
    if (typeof name !== 'string' || !name.trim()) {
      fail('name', 'must be a non-empty string');
      continue;
    }
    const description = typeof value.description === 'string' ? value.description.trim() : '';
    const textProblem = labelTextProblem(name.trim(), description);
    if (textProblem) {
      fail(textProblem.column, textProblem.message);
      continue;
    }
    const unserved = checkServed(catalog, modelId.trim(), saeId.trim(), index, 'featureIndex');
    if (unserved) {
      fail(unserved.field === 'layer' ? 'saeId' : unserved.field, unserved.message);
      continue;
    }
    out.rows.push({
      line,
      modelId: modelId.trim(),
      saeId: saeId.trim(),
      featureIndex: index,
      name: name.trim(),
      description,
      source: {
        format: 'WORKBENCH',
        line,
        ...(typeof value.id === 'string' ? { labelId: value.id } : {}),
        ...(isObject(value.source) ? { originalSource: value.source } : {}),
      },
    });
  }
  return out;
}

function safeRecords(text: string, key: string | null, out: ParsedFile) {
  try {
    return records(text, key).filter((record) => {
      if (record.problem) out.errors.push(record.problem);
      return !record.problem;
    });
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
    out.errors.push(error.problem);
    return [];
  }
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/**
 * The CSV columns an import reads, and the header names accepted for each (compared lower-cased, with spaces and
 * hyphens read as underscores: "Feature Index" is feature_index). The first name of each is toCsv's export header.
 */
export const CSV_COLUMNS = {
  model: ['model_id', 'model'],
  sae: ['sae_id', 'sae'],
  index: ['feature_index', 'index', 'feature'],
  name: ['name', 'label'],
  description: ['description'],
  id: ['id'],
  source: ['source'],
} as const;
type CsvColumn = keyof typeof CSV_COLUMNS;

const headerKey = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** A CSV record's cells and the line it starts on. */
type CsvRecord = { record: string[]; line: number };

/**
 * The file's records with their first lines (blank ones dropped), or null with the problem in `out`: a quote never
 * closed, csv-parse's other errors, or more than `maxRows` rows (reading stops there).
 */
function readCsvRecords(normalized: string, maxRows: number, out: ParsedFile): CsvRecord[] | null {
  // Each record with the line it ends on, gathered as parsed so that a later error still knows where they end.
  const records: { record: string[]; lastLine: number }[] = [];
  try {
    parseCsvText(normalized, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // The header and one row more than allowed: 2.5 million one-cell rows (5 MB) read whole took over a minute.
      to: maxRows + 2,
      on_record: (record: string[], context) => {
        records.push({ record, lastLine: context.lines });
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
      // csv-parse names the file's last line: the record that opens the quote starts after the last one read.
      const lines = normalized.split('\n');
      const after = records.at(-1)?.lastLine ?? 0;
      const start = lines.findIndex((l, i) => i >= after && l.trim()) + 1 || after + 1;
      out.errors.push({ line: start, field: 'csv', message: 'a quote opened in this row is never closed' });
      return null;
    }
    // csv-parse's words, less its own "at line N" (reported as the line).
    const why = error.message.replace(/ at line \d+/, '');
    out.errors.push({ line: typeof error.lines === 'number' ? error.lines : 1, field: 'csv', message: why });
    return null;
  }
  if (records.length - 1 > maxRows) {
    out.rowsOver = maxRows;
    return null;
  }
  // A record's first line: its last, less the line breaks inside its quoted cells.
  return records
    .map(({ record, lastLine }) => ({ record, line: lastLine - record.join('').split('\n').length + 1 }))
    .filter(({ record }) => record.some((cell) => cell.trim()));
}

/** Where each known column is in the header row, or null with the problem in `out` (a duplicate, a missing one). */
function csvHeaderColumns(header: CsvRecord, out: ParsedFile): Partial<Record<CsvColumn, number>> | null {
  const at = {} as Partial<Record<CsvColumn, number>>;
  for (const [i, cell] of header.record.entries()) {
    const key = headerKey(cell);
    const column = (Object.keys(CSV_COLUMNS) as CsvColumn[]).find((c) =>
      (CSV_COLUMNS[c] as readonly string[]).includes(key),
    );
    if (!column) continue;
    if (at[column] !== undefined) {
      const first = header.record[at[column]!]!.trim();
      out.errors.push({
        line: header.line,
        field: cell.trim(),
        message: `names the same column as "${first}" (accepted: ${CSV_COLUMNS[column].join(', ')})`,
      });
      return null;
    }
    at[column] = i;
  }
  const missing = (['sae', 'index', 'name'] as const).filter((c) => at[c] === undefined);
  if (missing.length) {
    const wanted = missing.map((c) => CSV_COLUMNS[c].join(' or ')).join('; ');
    const names = header.record.slice(0, 12).map((c) => JSON.stringify(c.trim().slice(0, 60)));
    const found = names.join(', ') + (header.record.length > names.length ? ', …' : '');
    out.errors.push({ line: header.line, field: 'header', message: `needs a column ${wanted} (found ${found})` });
    return null;
  }
  return at;
}

/**
 * A CSV file: this app's CSV export (its id and source kept as the row's source; score, votes and revisions are
 * not imported, as with JSON) or a spreadsheet with at least SAE id, feature index and label columns. Rows without
 * a model take `modelId`, or else the one model this server runs with that SAE. Reading stops past `maxRows` rows.
 */
export function parseCsv(text: string, modelId: string, catalog: ImportCatalog, maxRows = Infinity): ParsedFile {
  const out: ParsedFile = { rows: [], errors: [], empty: [] };
  // One line ending throughout, so the parser counts lines as an editor does and cells keep \n line breaks.
  const normalized = text.replace(/\r\n?/g, '\n');
  if (!normalized.replace(/^\uFEFF/, '').trim()) {
    out.errors.push({ line: 1, field: 'file', message: 'the file is empty' });
    return out;
  }
  const withLines = readCsvRecords(normalized, maxRows, out);
  if (!withLines) return out;
  const [header, ...rows] = withLines;
  if (!header) {
    out.errors.push({ line: 1, field: 'file', message: 'the file is empty' });
    return out;
  }
  const at = csvHeaderColumns(header, out);
  if (!at) return out;
  // Problems name the column as the file's header spells it.
  const fieldOf = (column: CsvColumn) => header.record[at[column]!]!.trim();
  const served = catalog.models().map((m) => m.id);
  for (const { record, line } of rows) {
    const fail = (field: string, message: string) => out.errors.push({ line, field, message });
    const cell = (column: CsvColumn) => (at[column] === undefined ? '' : (record[at[column]!] ?? '').trim());
    if (record.length > header.record.length) {
      fail('row', `has ${record.length} cells, the header ${header.record.length} (a comma outside quotes?)`);
      continue;
    }
    const saeId = cell('sae');
    if (!saeId) {
      fail(fieldOf('sae'), 'must not be empty');
      continue;
    }
    const index = indexOf(cell('index'));
    if (index === null) {
      fail(fieldOf('index'), `must be a non-negative integer, not ${JSON.stringify(cell('index'))}`);
      continue;
    }
    let rowModel = cell('model') || modelId.trim();
    if (!rowModel) {
      const owners = served.filter((m) => catalog.saesOf(m).some((s) => s.id === saeId));
      if (owners.length !== 1) {
        const where = at.model === undefined ? 'a model_id column or the import’s model id' : 'the model id';
        const why = owners.length ? `${owners.length} models here have SAE ${saeId}` : `no model here has SAE ${saeId}`;
        fail(at.model === undefined ? fieldOf('sae') : fieldOf('model'), `${why}: give ${where}`);
        continue;
      }
      rowModel = owners[0]!;
    }
    const name = cell('name');
    const description = cell('description');
    const textProblem = labelTextProblem(name, description);
    if (textProblem) {
      fail(fieldOf(textProblem.column), textProblem.message);
      continue;
    }
    const unserved = checkServed(catalog, rowModel, saeId, index, fieldOf('index'));
    if (unserved) {
      fail(unserved.field === 'layer' ? fieldOf('sae') : unserved.field, unserved.message);
      continue;
    }
    // The export's source column is the label's own source as JSON: kept when it reads as an object.
    let originalSource: unknown;
    try {
      originalSource = cell('source') ? JSON.parse(cell('source')) : undefined;
    } catch {
      originalSource = undefined;
    }
    out.rows.push({
      line,
      modelId: rowModel,
      saeId,
      featureIndex: index,
      name,
      description,
      source: {
        format: 'CSV',
        line,
        ...(cell('id') ? { labelId: cell('id') } : {}),
        ...(isObject(originalSource) ? { originalSource } : {}),
      },
    });
  }
  return out;
}
