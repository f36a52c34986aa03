import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { FeaturePage } from '../../../../components/FeaturePage';
import type { FeatureKey } from '../../../../lib/graph';

// Whether the feature exists is the API's to say, at request time.
export const dynamic = 'force-dynamic';

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

interface CatalogAnswer {
  data?: { models: { id: string; saes: { id: string; dSae: number }[] }[] };
}

/**
 * True when the API serves the model but it has no such SAE, or the index is beyond the SAE's width. Features of
 * models it does not serve (graphs imported from elsewhere) have pages for their labels and comments; an API that
 * cannot be asked right now leaves the page to say so itself.
 */
async function featureIsMissing(key: FeatureKey): Promise<boolean> {
  const apiOrigin = process.env.API_URL ?? 'http://127.0.0.1:4000';
  let answer: CatalogAnswer;
  try {
    const response = await fetch(`${apiOrigin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ models { id saes { id dSae } } }' }),
      cache: 'no-store',
      signal: AbortSignal.timeout(5000),
    });
    answer = (await response.json()) as CatalogAnswer;
  } catch {
    return false;
  }
  const model = answer.data?.models.find((m) => m.id === key.modelId);
  if (!model) return false;
  const sae = model.saes.find((s) => s.id === key.saeId);
  return !sae || key.featureIndex >= sae.dSae;
}

/**
 * /models/{model}/{sae...}/{index}: the SAE id may contain '/', so everything between the model and the last
 * segment is the SAE id (each segment URL-encoded on its own; see featurePath in lib/graph.ts). A feature that does
 * not exist is a 404.
 */
export default async function FeatureRoute({ params }: { params: Promise<{ model: string; rest: string[] }> }) {
  const { model, rest: encoded } = await params;
  const rest = (encoded ?? []).map(decode);
  const last = rest.at(-1) ?? '';
  const index = /^\d+$/.test(last) ? Number(last) : Number.NaN;
  const saeId = rest.slice(0, -1).join('/');
  if (!saeId || !Number.isSafeInteger(index)) notFound();
  const feature = { modelId: decode(model), saeId, featureIndex: index };
  if (await featureIsMissing(feature)) notFound();
  return (
    <Suspense>
      <FeaturePage feature={feature} />
    </Suspense>
  );
}
