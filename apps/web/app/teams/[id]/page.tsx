'use client';

import { useParams } from 'next/navigation';
import { TeamPage } from '../../../components/TeamPage';

export default function TeamRoute() {
  const { id } = useParams<{ id: string }>();
  return <TeamPage id={id} />;
}
