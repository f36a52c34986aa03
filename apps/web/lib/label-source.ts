/** How a label's source (FeatureLabel.source, JSON; set by an import) reads beside it; null for labels made here. */
export function describeLabelSource(source: unknown): string | null {
  if (typeof source !== 'string') return null;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(source);
  } catch {
    return null;
  }
  const line = typeof parsed.line === 'number' ? `, line ${parsed.line}` : '';
  if (parsed.format === 'NEURONPEDIA') {
    const by = typeof parsed.explanationModelName === 'string' ? ` (explained by ${parsed.explanationModelName})` : '';
    return `imported from Neuronpedia${by}${line}`;
  }
  if (parsed.format === 'FEATURE_CIRCUITS') return `imported from feature-circuits annotations${line}`;
  if (parsed.format === 'WORKBENCH') return `imported from a label export${line}`;
  return 'imported';
}
