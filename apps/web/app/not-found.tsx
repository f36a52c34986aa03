import Link from 'next/link';
import { TopBar } from '../components/TopBar';

/** Any address with nothing behind it, including a feature of an SAE that does not exist (or beyond its width). */
export default function NotFound() {
  return (
    <>
      <TopBar />
      <main className="card stack" role="alert" style={{ maxWidth: 640, margin: '2rem auto' }}>
        <h1 style={{ margin: 0 }}>Not found</h1>
        <p data-testid="not-found">
          There is nothing at this address. A feature page needs a model and SAE this server offers and a feature index
          below the SAE&rsquo;s width.
        </p>
        <p>
          <Link href="/explore">Open the feature explorer</Link> to find features, or go to the{' '}
          <Link href="/">home page</Link>.
        </p>
      </main>
    </>
  );
}
