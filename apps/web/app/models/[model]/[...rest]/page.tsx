import { print } from 'graphql';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { FeaturePage } from '../../../../components/FeaturePage';
import { SaePage } from '../../../../components/SaePage';
import type { RouteCatalogQuery } from '../../../../lib/generated/graphql';
import { ROUTE_CATALOG } from '../../../../lib/labeling-operations';

// Whether the feature or SAE exists is the API's to say, at request time.
export const dynamic = 'force-dynamic';

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

type Catalog = RouteCatalogQuery['models'];

/** The API's models and SAEs, or null when it cannot be asked right now (the page then says so itself). */
async function fetchCatalog(): Promise<Catalog | null> {
  const apiOrigin = process.env.API_URL ?? 'http://127.0.0.1:4000';
  try {
    const response = await fetch(`${apiOrigin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(ROUTE_CATALOG) }),
      cache: 'no-store',
      signal: AbortSignal.timeout(5000),
    });
    return ((await response.json()) as { data?: RouteCatalogQuery | null }).data?.models ?? null;
  } catch {
    return null;
  }
}

/**
 * /models/{model}/{sae...}/{index} is a feature page, /models/{model}/{sae...} an SAE page. The SAE id may contain
 * '/' (each segment URL-encoded on its own; see featurePath in lib/graph.ts), and its last segment may look like an
 * index, so the catalog decides: a path that is exactly one of the model's SAE ids is that SAE's page; otherwise
 * everything between the model and the last segment is the SAE id and the last segment its feature's index. A
 * feature or SAE the API's model does not have is a 404. Models the API does not serve (graphs imported from
 * elsewhere) have feature pages for their labels and comments, and no SAE pages.
 */
export default async function ModelRoute({ params }: { params: Promise<{ model: string; rest: string[] }> }) {
  const { model, rest: encoded } = await params;
  const modelId = decode(model);
  const rest = (encoded ?? []).map(decode);
  const catalog = await fetchCatalog();
  const served = catalog?.find((m) => m.id === modelId);
  if (served?.saes.some((s) => s.id === rest.join('/'))) {
    return (
      <Suspense>
        <SaePage modelId={modelId} saeId={rest.join('/')} />
      </Suspense>
    );
  }
  const last = rest.at(-1) ?? '';
  const index = /^\d+$/.test(last) ? Number(last) : Number.NaN;
  const saeId = rest.slice(0, -1).join('/');
  if (!saeId || !Number.isSafeInteger(index)) notFound();
  if (served) {
    const sae = served.saes.find((s) => s.id === saeId);
    if (!sae || index >= sae.dSae) notFound();
  }
  return (
    <Suspense>
      <FeaturePage feature={{ modelId, saeId, featureIndex: index }} />
    </Suspense>
  );
}
