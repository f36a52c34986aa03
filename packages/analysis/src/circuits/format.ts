/**
 * The circuit file: JSON with a schema version, validated with zod on read (model, SAEs, dataset, method and
 * thresholds, nodes with stable ids, weighted edges, metrics). Errors say what is wrong and where.
 */
import { z } from 'zod';
import { METRIC_NODE_ID, parseNodeId } from './nodes.js';

export const CIRCUIT_SCHEMA = 'workbench.circuit';
export const CIRCUIT_SCHEMA_VERSION = 1;

/**
 * How a circuit was computed (its file's method.kind): a prompt pair's node effects by integrated gradients,
 * attribution patching or exact activation patching; 'graph' an attribution graph of one prompt (transcoders,
 * circuit-tracer's method); 'linear' an exact linear decomposition of one input (the toy's: activation x weight).
 */
export const CIRCUIT_METHODS = ['ig', 'atp', 'exact', 'graph', 'linear'] as const;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const int = z.number().int();

export const CircuitNodeSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['feature', 'error', 'metric', 'input', 'hidden', 'output']),
  hook: z.string().min(1),
  layer: int.nullable(),
  feature: int.nonnegative().nullable(),
  position: int.nonnegative().nullable(),
  effect: finite,
  activation: finite.optional(),
  /** A logit node's probability on the prompt (attribution graphs). */
  probability: finite.optional(),
  label: z.string().optional(),
});

export const CircuitEdgeSchema = z.object({ source: z.string().min(1), target: z.string().min(1), weight: finite });

const MetricSchema = z.union([
  z.object({ kind: z.literal('pair') }),
  z.object({ kind: z.literal('tokens'), answer: int, wrong: int }),
  z.object({ kind: z.literal('direction'), vector: z.array(finite) }),
  /** An attribution graph's targets: the top logits at the prompt's last position (circuit-tracer's). */
  z.object({ kind: z.literal('logits'), tokens: z.array(int) }),
]);

export const CircuitFileSchema = z
  .object({
    schema: z.literal(CIRCUIT_SCHEMA),
    version: z.literal(CIRCUIT_SCHEMA_VERSION),
    created: z.string(),
    model: z.object({
      name: z.string(),
      source: z.string().optional(),
      nLayers: int.positive(),
      dModel: int.positive(),
      vocabSize: int.positive(),
    }),
    saes: z.array(
      z.object({
        hook: z.string(),
        dSae: int.positive(),
        architecture: z.string(),
        /** Where the SAE was read from (a folder or a hub repository). */
        source: z.string().optional(),
        /** The workbench's id of the SAE (its feature pages and labels), when the server computed the circuit. */
        id: z.string().optional(),
      }),
    ),
    /** Circuit hooks in forward order (the exchange format's layers). */
    hooks: z.array(z.string()),
    dataset: z.object({
      name: z.string(),
      pairs: int.nonnegative(),
      /** The prompt pairs as text: all of a custom dataset, the first five of a template (which regenerates them). */
      examples: z
        .array(
          z.object({
            clean_prefix: z.string(),
            patch_prefix: z.string(),
            clean_answer: z.string(),
            patch_answer: z.string(),
          }),
        )
        .optional(),
      /** Tokens of the first clean prompt (the exchange format's prompt_tokens). */
      promptTokens: z.array(z.string()).optional(),
      /** Tokens of the first patched prompt, so a viewer can mark where the pair differs ("boy→boys"). */
      patchTokens: z.array(z.string()).optional(),
      /** An attribution graph's one prompt, as text. */
      prompt: z.string().optional(),
    }),
    method: z.object({
      kind: z.enum(CIRCUIT_METHODS),
      steps: int.positive(),
      aggregation: z.enum(['position', 'sum']),
      nodeThreshold: finite,
      edgeThreshold: finite,
      maxNodes: int.positive().nullable(),
      metric: MetricSchema,
      centerResid: z.boolean().optional(),
    }),
    nodes: z.array(CircuitNodeSchema),
    edges: z.array(CircuitEdgeSchema),
    supernodes: z.array(z.array(z.string()).min(1)).optional(),
    metrics: z.object({
      nodes: int.nonnegative(),
      edges: int.nonnegative(),
      totalNodes: int.nonnegative(),
      cleanMetric: finite.nullable(),
      patchMetric: finite.nullable(),
      faithfulness: finite.nullable(),
      completeness: finite.nullable(),
      fCircuit: finite.nullable().optional(),
      fComplement: finite.nullable().optional(),
      fFull: finite.nullable().optional(),
      fEmpty: finite.nullable().optional(),
      /** An attribution graph's scores (circuit-tracer's compute_graph_scores), before pruning. */
      replacementScore: finite.nullable().optional(),
      completenessScore: finite.nullable().optional(),
      timings: z.record(z.string(), finite).optional(),
    }),
  })
  .superRefine((c, ctx) => {
    const ids = new Set<string>();
    c.nodes.forEach((n, i) => {
      if (ids.has(n.id))
        ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `duplicate node id "${n.id}"` });
      ids.add(n.id);
      if (n.kind === 'feature' || n.kind === 'error') {
        try {
          const p = parseNodeId(n.id);
          if (p.hook !== n.hook || p.feature !== n.feature || p.position !== n.position)
            ctx.addIssue({
              code: 'custom',
              path: ['nodes', i, 'id'],
              message: `id "${n.id}" disagrees with hook/feature/position (${n.hook}, ${n.feature}, ${n.position})`,
            });
        } catch (e) {
          ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: (e as Error).message });
        }
      } else if (n.kind === 'metric' && n.id !== METRIC_NODE_ID) {
        ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `the metric node's id must be "metric"` });
      }
    });
    c.edges.forEach((e, i) => {
      for (const end of ['source', 'target'] as const) {
        if (!ids.has(e[end]))
          ctx.addIssue({ code: 'custom', path: ['edges', i, end], message: `unknown node "${e[end]}"` });
      }
    });
    c.supernodes?.forEach((s, i) => {
      s.slice(1).forEach((id, k) => {
        if (!ids.has(id))
          ctx.addIssue({ code: 'custom', path: ['supernodes', i, k + 1], message: `unknown node "${id}"` });
      });
    });
  });

export type CircuitFile = z.infer<typeof CircuitFileSchema>;

/** Validates a parsed circuit file; throws one error listing each problem with its path. */
export function parseCircuitFile(value: unknown, source = 'circuit'): CircuitFile {
  const r = CircuitFileSchema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.slice(0, 20).map((i) => `  at /${i.path.join('/')}: ${i.message}`);
  const more = r.error.issues.length > 20 ? `\n  ... and ${r.error.issues.length - 20} more` : '';
  throw new Error(
    `${source}: not a valid circuit file (schema ${CIRCUIT_SCHEMA} v${CIRCUIT_SCHEMA_VERSION}):\n${lines.join('\n')}${more}`,
  );
}

/** Parses JSON text and validates it. */
export function readCircuitJson(text: string, source = 'circuit'): CircuitFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON (${(e as Error).message})`);
  }
  return parseCircuitFile(value, source);
}

export function circuitToJson(c: CircuitFile): string {
  return `${JSON.stringify(parseCircuitFile(c, 'circuitToJson'), null, 1)}\n`;
}
