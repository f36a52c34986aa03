'use client';

import { useParams } from 'next/navigation';
import { Suspense } from 'react';
import { FeaturePage } from '../../../../components/FeaturePage';
import { TopBar } from '../../../../components/TopBar';

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/**
 * /models/{model}/{sae...}/{index}: the SAE id may contain '/', so everything between the model and the last
 * segment is the SAE id (each segment URL-encoded on its own; see featurePath in lib/graph.ts).
 */
export default function FeatureRoute() {
  const params = useParams<{ model: string; rest: string[] }>();
  const rest = (params.rest ?? []).map(decode);
  const index = Number(rest.at(-1));
  const saeId = rest.slice(0, -1).join('/');
  if (!saeId || !Number.isInteger(index) || index < 0) {
    return (
      <>
        <TopBar />
        <main className="card" role="alert">
          Not a feature address: use /models/&lt;model&gt;/&lt;sae id&gt;/&lt;feature index&gt;.
        </main>
      </>
    );
  }
  return (
    <Suspense>
      <FeaturePage feature={{ modelId: decode(params.model), saeId, featureIndex: index }} />
    </Suspense>
  );
}
