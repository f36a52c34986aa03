'use client';

import { useParams } from 'next/navigation';
import { Suspense } from 'react';
import { CircuitPage } from '../../../../../components/editor/CircuitPage';

export default function CircuitVersionPage() {
  const { slug, n } = useParams<{ slug: string; n: string }>();
  const number = Number(n);
  return (
    <Suspense>
      <CircuitPage slug={slug} version={Number.isInteger(number) && number > 0 ? number : null} />
    </Suspense>
  );
}
