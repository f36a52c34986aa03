'use client';

import { useParams } from 'next/navigation';
import { Suspense } from 'react';
import { CircuitPage } from '../../../components/editor/CircuitPage';

export default function LatestCircuitPage() {
  const { slug } = useParams<{ slug: string }>();
  return (
    <Suspense>
      <CircuitPage slug={slug} version={null} />
    </Suspense>
  );
}
