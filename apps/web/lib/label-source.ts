function parseSource(source: unknown): Record<string, unknown> | null {
  if (typeof source !== 'string') return null;
  try {
    const parsed = JSON.parse(source);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * How a label's source (FeatureLabel.source, JSON; set by an import or a draft) reads beside it; null for labels made
 * here by a person.
 */
export function describeLabelSource(source: unknown): string | null {
  const parsed = parseSource(source);
  if (!parsed) return null;
  const line = typeof parsed.line === 'number' ? `, line ${parsed.line}` : '';
  if (parsed.format === 'LLM') {
    return `machine-written by ${typeof parsed.model === 'string' ? parsed.model : 'a language model'} (a draft)`;
  }
  if (parsed.format === 'TOKEN_PATTERN') return 'machine-written from the token pattern (a draft, no language model)';
  if (parsed.format === 'NEURONPEDIA') {
    const by = typeof parsed.explanationModelName === 'string' ? ` (explained by ${parsed.explanationModelName})` : '';
    return `imported from Neuronpedia${by}${line}`;
  }
  if (parsed.format === 'FEATURE_CIRCUITS') return `imported from feature-circuits annotations${line}`;
  if (parsed.format === 'WORKBENCH') return `imported from a label export${line}`;
  if (parsed.format === 'CSV') return `imported from a CSV file${line}`;
  return 'imported';
}

/** Whether a person wrote the label (null source or an import) or a machine drafted it. */
export function isMachineDraft(source: unknown): boolean {
  const format = parseSource(source)?.format;
  return format === 'LLM' || format === 'TOKEN_PATTERN';
}

export interface DetectionNote {
  /** "detection 0.83", or null when the draft has no score. */
  score: string | null;
  /** What the score means, or why there is none: shown beside it (and as its tooltip). */
  explanation: string;
}

/**
 * A machine draft's detection score as a labeler reads it, with what it means; for a token-pattern draft, why it has
 * none. Null for any label that is not a draft. The score was measured on revision 1: an edited label says so.
 */
export function describeDetection(source: unknown, revision = 1): DetectionNote | null {
  const parsed = parseSource(source);
  if (!parsed) return null;
  if (parsed.format === 'TOKEN_PATTERN') {
    return {
      score: null,
      explanation:
        'no detection score: scoring asks a language model to spot the feature from the label, and none was used',
    };
  }
  if (parsed.format !== 'LLM') return null;
  const detection = (parsed.detection ?? {}) as Record<string, unknown>;
  if (typeof detection.score !== 'number') {
    const why = typeof detection.error === 'string' ? `: ${detection.error}` : '';
    return { score: null, explanation: `no detection score${why}` };
  }
  const examples = typeof detection.examples === 'number' ? detection.examples : null;
  const edited = revision > 1 ? '; measured on the first revision' : '';
  return {
    score: `detection ${detection.score.toFixed(2)}`,
    explanation:
      `balanced accuracy of the model picking, from the label alone, which of ${examples ?? 'the'} held-out contexts ` +
      `(half activating) the feature fires on: 1 is perfect, 0.5 is chance${edited}`,
  };
}
