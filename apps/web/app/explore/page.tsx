'use client';

import { useApolloClient, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { StatusBadge } from '../../components/Badges';
import { TopBar } from '../../components/TopBar';
import { errorMessage } from '../../lib/errors';
import type { ExplorerModelsQuery } from '../../lib/generated/graphql';
import { featureKeyString, featurePath } from '../../lib/graph';
import { type NodeLabel, useShownLabels } from '../../lib/node-labels';
import { EXPLORER_ACTIVATIONS, EXPLORER_MODELS } from '../../lib/operations';
import { decodeFloat32, encodeInBrowser } from '../../lib/sae-encoder';
import { typedWords, unknownWords } from '../../lib/vocabulary';

type Sae = Model['saes'][number];
type Model = ExplorerModelsQuery['models'][number];

interface Result {
  modelId: string;
  sae: Sae;
  tokens: string[];
  /** [tokens, dSae] */
  features: Float32Array;
  encodeMs: number;
  /** When it ran: a new run fetches labels again. */
  ranAt: number;
}

const TOP = 12;

/** Tokens a vocabulary does not know (word-level tokenizers such as the demo model's). */
const UNKNOWN_TOKENS = new Set(['[UNK]', '<unk>', '<|unk|>']);

/** The SAE to open with: the middle layer's residual stream if there is one (early layers say little). */
function defaultSae(model: Model): Sae | undefined {
  const middle = `blocks.${Math.floor(model.nLayers / 2)}.hook_resid_post`;
  return (
    model.saes.find((s) => s.hook === middle) ??
    model.saes.find((s) => s.hook.endsWith('hook_resid_post')) ??
    model.saes[0]
  );
}

/** Indices of the k largest values. */
function topK(values: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).filter((i) => values[i]! > 0);
  order.sort((a, b) => values[b]! - values[a]!);
  return order.slice(0, k);
}

export default function ExplorerPage() {
  const models = useQuery(EXPLORER_MODELS);
  const client = useApolloClient();
  const [modelId, setModelId] = useState('');
  const [saeId, setSaeId] = useState('');
  const [text, setText] = useState('The boys near the car are');
  const [result, setResult] = useState<Result | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selectedToken, setSelectedToken] = useState<number | null>(null);
  const [selectedFeature, setSelectedFeature] = useState<number | null>(null);

  const list = models.data?.models ?? [];
  const model = list.find((m) => m.id === modelId) ?? list[0];
  const sae = model?.saes.find((s) => s.id === saeId) ?? (model ? defaultSae(model) : undefined);
  const vocabulary = useMemo(() => (model?.vocabulary ? new Set(model.vocabulary) : null), [model]);
  const unknown = useMemo(() => (vocabulary ? unknownWords(text, vocabulary) : []), [text, vocabulary]);
  const knownWords = useMemo(() => (model?.vocabulary ? typedWords(model.vocabulary).length : 0), [model]);
  // The choices live in the URL, so a reload or a shared link shows the same text with the same SAE.
  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    if (params.get('model')) setModelId(params.get('model')!);
    if (params.get('sae')) setSaeId(params.get('sae')!);
    if (params.get('text')) setText(params.get('text')!);
  }, []);

  async function run(event?: FormEvent) {
    event?.preventDefault();
    if (!model || !sae) return;
    window.history.replaceState(null, '', `?${new URLSearchParams({ model: model.id, sae: sae.id, text })}`);
    setBusy(true);
    setError(null);
    try {
      const { data } = await client.query({
        query: EXPLORER_ACTIVATIONS,
        variables: { model: model.id, hook: sae.hook, text, sae: sae.id },
        fetchPolicy: 'no-cache',
      });
      if (!data) throw new Error('No activations came back');
      const x = decodeFloat32(data.activations.data);
      const started = performance.now();
      const features = await encodeInBrowser(sae, x, data.activations.shape[0]!);
      setResult({
        modelId: model.id,
        sae,
        tokens: data.activations.tokens,
        features,
        encodeMs: performance.now() - started,
        ranAt: Date.now(),
      });
      setSelectedToken(null);
      setSelectedFeature(null);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  // Per feature: its largest activation over the text; per token: its largest feature activation.
  const summary = useMemo(() => {
    if (!result) return null;
    const { features, tokens, sae: s } = result;
    const maxPerFeature = new Float32Array(s.dSae);
    const maxPerToken = new Float32Array(tokens.length);
    for (let t = 0; t < tokens.length; t++) {
      for (let f = 0; f < s.dSae; f++) {
        const v = features[t * s.dSae + f]!;
        if (v > maxPerFeature[f]!) maxPerFeature[f] = v;
        if (v > maxPerToken[t]!) maxPerToken[t] = v;
      }
    }
    return { maxPerFeature, maxPerToken, peakToken: Math.max(...maxPerToken) || 1, top: topK(maxPerFeature, TOP) };
  }, [result]);

  const shade = (t: number): number => {
    if (!result || !summary) return 0;
    if (selectedFeature !== null) {
      const peak = summary.maxPerFeature[selectedFeature]! || 1;
      return result.features[t * result.sae.dSae + selectedFeature]! / peak;
    }
    return summary.maxPerToken[t]! / summary.peakToken;
  };

  const tokenTop = useMemo(
    () =>
      result && selectedToken !== null
        ? topK(result.features.subarray(selectedToken * result.sae.dSae, (selectedToken + 1) * result.sae.dSae), TOP)
        : [],
    [result, selectedToken],
  );
  // Labels of the listed features, the best one each (public ones, and your teams').
  const labelKeys = useMemo(
    () =>
      result && summary
        ? [...new Set([...summary.top, ...tokenTop])].map((featureIndex) => ({
            modelId: result.modelId,
            saeId: result.sae.id,
            featureIndex,
          }))
        : [],
    [result, summary, tokenTop],
  );
  const labels = useShownLabels(labelKeys, null, result?.ranAt);
  const unknownShownAs = result?.tokens.find((t) => UNKNOWN_TOKENS.has(t.trim()))?.trim() ?? '[UNK]';

  return (
    <>
      <TopBar />
      <main className="stack">
        <section className="card stack">
          <h1 style={{ margin: 0 }}>Feature explorer</h1>
          <p className="muted" style={{ margin: 0 }}>
            The server runs the model to the SAE&apos;s hook; your browser encodes the activations with the SAE
            (onnxruntime-web) and shows which features fire on which token.
          </p>
          {models.error && <p className="error">{errorMessage(models.error)}</p>}
          {models.data && !list.length && (
            <p className="muted">No models are installed. The bundled demo model appears once it is trained.</p>
          )}
          <form className="stack" onSubmit={run}>
            <div className="row">
              <label>
                Model
                <select value={model?.id ?? ''} onChange={(e) => setModelId(e.target.value)}>
                  {list.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.id}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                SAE
                <select value={sae?.id ?? ''} onChange={(e) => setSaeId(e.target.value)}>
                  {model?.saes.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.hook} ({s.dSae} features)
                    </option>
                  ))}
                </select>
              </label>
            </div>
            {model && (
              <p className="small muted" data-testid="model-facts" style={{ margin: 0 }}>
                {model.id} reads at most {model.contextLength} tokens at a time (its context length)
                {model.vocabulary
                  ? `, and knows ${knownWords.toLocaleString()} words: any other word becomes one unknown token.`
                  : '; its subword vocabulary spells any text.'}
              </p>
            )}
            {model?.vocabulary && <VocabularyList words={model.vocabulary} />}
            <label>
              Text
              <textarea
                value={text}
                onChange={(e) => setText(e.target.value)}
                rows={3}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void run();
                }}
              />
            </label>
            <div className="row">
              <button type="submit" disabled={busy || !sae}>
                {busy ? 'Running…' : 'Show features'}
              </button>
              <span className="muted">Ctrl+Enter runs</span>
            </div>
            {unknown.length > 0 && (
              <p className="muted" data-testid="unknown-tokens" style={{ margin: 0 }}>
                {unknown.length} {unknown.length === 1 ? 'word is' : 'words are'} not in {model?.id}&apos;s vocabulary (
                {unknown.map((w) => `“${w.trim()}”`).join(', ')}): the model reads{' '}
                {unknown.length === 1 ? 'it' : 'them'} as {unknownShownAs}.
              </p>
            )}
          </form>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </section>

        {result && summary && (
          <section className="card stack" data-testid="explorer-result">
            <div className="tokens">
              {result.tokens.map((token, t) => (
                <button
                  // biome-ignore lint/suspicious/noArrayIndexKey: tokens repeat; their position is their identity
                  key={t}
                  type="button"
                  className="token"
                  data-testid="token"
                  aria-pressed={selectedToken === t}
                  title={`max activation ${summary.maxPerToken[t]!.toFixed(3)}`}
                  style={{
                    background: `rgba(52, 81, 178, ${(0.85 * shade(t)).toFixed(3)})`,
                    color: shade(t) > 0.55 ? 'white' : undefined,
                  }}
                  onClick={() => setSelectedToken(selectedToken === t ? null : t)}
                >
                  {token.replace(/ /g, '\u00a0')}
                </button>
              ))}
            </div>
            <p className="muted" style={{ margin: 0 }}>
              Encoded {result.tokens.length} tokens in your browser in {result.encodeMs.toFixed(0)} ms.
              {selectedFeature !== null && ` Shading: feature ${selectedFeature}.`}
            </p>
            {/* Side by side when both fit, else the token's table goes below: neither is squeezed. */}
            <div className="row" style={{ alignItems: 'flex-start', gap: '2rem', flexWrap: 'wrap' }}>
              <FeatureTable
                title="Top features over the text"
                testId="top-features"
                indices={summary.top}
                value={(f) => summary.maxPerFeature[f]!}
                result={result}
                labels={labels}
                selected={selectedFeature}
                onSelect={setSelectedFeature}
              />
              {selectedToken !== null && (
                <FeatureTable
                  title={`Top features on “${result.tokens[selectedToken]}”`}
                  testId="token-features"
                  indices={tokenTop}
                  value={(f) => result.features[selectedToken * result.sae.dSae + f]!}
                  result={result}
                  labels={labels}
                  selected={selectedFeature}
                  onSelect={setSelectedFeature}
                />
              )}
            </div>
          </section>
        )}
      </main>
    </>
  );
}

function FeatureTable(props: {
  title: string;
  testId: string;
  indices: number[];
  value: (feature: number) => number;
  result: Result;
  labels: Map<string, NodeLabel>;
  selected: number | null;
  onSelect: (feature: number | null) => void;
}) {
  const { indices, value, result } = props;
  const peak = indices.length ? value(indices[0]!) : 1;
  return (
    <div className="stack" style={{ minWidth: 320, flex: '0 0 auto' }}>
      <h2 style={{ margin: 0, fontSize: '1.05rem' }}>{props.title}</h2>
      {indices.length === 0 && <p className="muted">No feature fires.</p>}
      <table data-testid={props.testId}>
        <tbody>
          {indices.map((f) => {
            const key = { modelId: result.modelId, saeId: result.sae.id, featureIndex: f };
            const label = props.labels.get(featureKeyString(key));
            return (
              <tr key={f} data-testid="feature-row" data-feature={f} data-value={value(f)}>
                <td>
                  <Link href={featurePath(key)}>#{f}</Link>
                </td>
                <td className="feature-label" data-testid="feature-label">
                  {label && (
                    <>
                      {label.name} <StatusBadge status={label.status} />
                    </>
                  )}
                </td>
                <td>
                  {/* A fixed track: the table narrows when a second one opens beside it, the bars must not. */}
                  <div className="bar-track">
                    <div
                      className="bar"
                      data-testid="feature-bar"
                      style={{ width: `${(100 * value(f)) / (peak || 1)}%` }}
                    />
                  </div>
                </td>
                <td className="muted">{value(f).toFixed(3)}</td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    aria-pressed={props.selected === f}
                    onClick={() => props.onSelect(props.selected === f ? null : f)}
                  >
                    {props.selected === f ? 'Unshade' : 'Shade'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The words a word-level model knows, filterable: what you can type and have it understand. */
function VocabularyList({ words }: { words: string[] }) {
  const [filter, setFilter] = useState('');
  const typed = useMemo(() => typedWords(words), [words]);
  const shown = typed.filter((w) => w.toLowerCase().includes(filter.trim().toLowerCase()));
  return (
    <details data-testid="vocabulary">
      <summary>Words the model knows ({typed.length})</summary>
      <input
        type="search"
        aria-label="Find a word"
        placeholder="Find a word"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      <p className="small vocabulary-words" data-testid="vocabulary-words">
        {shown.length ? shown.join(' · ') : 'No known word contains that.'}
      </p>
    </details>
  );
}
