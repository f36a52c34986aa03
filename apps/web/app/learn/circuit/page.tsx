'use client';

import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, useMemo } from 'react';
import { CircuitEditor } from '../../../components/editor/CircuitEditor';
import { type SavedContent, SaveToTeam } from '../../../components/learn/SaveToTeam';
import { standaloneCircuit } from '../../../components/learn/standalone';
import { TopBar } from '../../../components/TopBar';
import { errorMessage } from '../../../lib/errors';
import { TOY_INPUTS, type ToyInput, toyContent, trainToy } from '../../../lib/learn';
import { LEARN_CIRCUIT } from '../../../lib/operations';

/**
 * /learn/circuit?c=demo | toy-singular | toy-plural: a walkthrough circuit in the editor, not stored anywhere
 * (the editor's standalone mode), with a way to save it to a team.
 */
export default function LearnCircuitPage() {
  return (
    <Suspense>
      <LearnCircuit />
    </Suspense>
  );
}

function LearnCircuit() {
  const which = useSearchParams().get('c') ?? 'demo';
  const toy = /^toy-(singular|plural)$/.exec(which)?.[1] as ToyInput | undefined;
  return toy ? <ToyEditor input={toy} /> : <DemoEditor />;
}

function Banner(props: { title: string; content: () => SavedContent; what: string; editsKey: string }) {
  return (
    <span className="row wrap">
      <span>
        From the <Link href="/learn">walkthrough</Link>.
      </span>
      <SaveToTeam {...props} />
    </span>
  );
}

function ToyEditor({ input }: { input: ToyInput }) {
  // Trained here from the same seeds as on /learn (and `npm run circuit -- --toy`): the same network and circuit.
  const opened = useMemo(() => {
    const content = toyContent(trainToy(), input);
    const title = `Toy circuit: “The${TOY_INPUTS[input].subject}”`;
    return {
      title,
      ...standaloneCircuit(
        `learn-toy-${input}`,
        title,
        content.graph,
        content.annotations,
        'The seed article’s toy network, trained in this page.',
      ),
    };
  }, [input]);
  return (
    <CircuitEditor
      key={input}
      circuit={opened.info}
      version={opened.version}
      pinnedVersion={null}
      shareToken={null}
      loading={false}
      refetch={() => {}}
      standalone={{
        banner: (current) => (
          <Banner title={opened.title} content={current} what="This toy circuit" editsKey={opened.info.slug} />
        ),
      }}
    />
  );
}

function DemoEditor() {
  const query = useQuery(LEARN_CIRCUIT);
  const data = query.data?.learnCircuit;
  const opened = useMemo(() => {
    if (!data) return null;
    const title = `${data.cleanPrefix}${data.cleanAnswer} / ${data.patchPrefix}${data.patchAnswer}`;
    return {
      title,
      ...standaloneCircuit(
        'learn-demo',
        title,
        data.graph,
        { nodes: {}, edges: {} },
        'The bundled demo model’s circuit for the seed article’s pair, computed by the server.',
      ),
    };
  }, [data]);
  if (!opened || !data) {
    return (
      <>
        <TopBar />
        <main className={query.error ? 'card stack' : 'muted'} role={query.error ? 'alert' : undefined}>
          {query.error
            ? `The demo circuit could not be computed: ${errorMessage(query.error)}`
            : 'Computing the demo circuit…'}
        </main>
      </>
    );
  }
  return (
    <CircuitEditor
      circuit={opened.info}
      version={opened.version}
      pinnedVersion={null}
      shareToken={null}
      loading={false}
      refetch={() => void query.refetch()}
      standalone={{
        banner: (current) => (
          <Banner title={opened.title} content={current} what="This circuit" editsKey={opened.info.slug} />
        ),
      }}
    />
  );
}
