'use client';

import { useApolloClient } from '@apollo/client/react';
import { useState } from 'react';
import { errorMessage } from '../lib/errors';
import type { FeatureKey } from '../lib/graph';
import { STEER_FEATURE, type SteeringResult, type SteeringRun } from '../lib/operations';
import { SaveSteeringEvidence, type SteeringInputs } from './Evidence';

/**
 * Steering from a feature page: the server adds the feature's decoder direction (strength x its max activation) at
 * its SAE's hook and answers with the steered run beside the unsteered one. Positions: every token (generated ones
 * too), or the tokens clicked in the last result.
 */
export function SteerPanel({ feature }: { feature: FeatureKey }) {
  const client = useApolloClient();
  const [text, setText] = useState('The boy near the car');
  const [strength, setStrength] = useState('2');
  const [compare, setCompare] = useState<[string, string]>([' are', ' is']);
  const [continuation, setContinuation] = useState('10');
  const [chosen, setChosen] = useState<number[]>([]);
  const [freeze, setFreeze] = useState(false);
  const [result, setResult] = useState<SteeringResult | null>(null);
  const [ranWith, setRanWith] = useState<SteeringInputs | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setRunning(true);
    setError(null);
    const inputs: SteeringInputs = {
      text,
      strength: Number(strength),
      positions: chosen.length ? chosen : null,
      compareTokens: compare[0] && compare[1] ? compare : null,
      continuation: Number(continuation),
      freezeAttention: freeze,
    };
    try {
      const { data } = await client.query({
        query: STEER_FEATURE,
        fetchPolicy: 'network-only',
        variables: { model: feature.modelId, sae: feature.saeId, feature: feature.featureIndex, ...inputs },
      });
      setResult(data?.steerFeature ?? null);
      setRanWith(inputs);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setRunning(false);
    }
  };

  const toggle = (t: number) =>
    setChosen((list) => (list.includes(t) ? list.filter((x) => x !== t) : [...list, t].sort((a, b) => a - b)));

  return (
    <section className="card stack" aria-label="Steer" data-testid="steer-panel">
      <h2 className="section-title">Steer</h2>
      <p className="muted small">
        Adds this feature's decoder direction at {feature.saeId.split('/').pop()}, strength × its max activation
        (negative suppresses), and runs the text beside the unsteered model.
      </p>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <label className="stack">
          Text
          <input
            aria-label="Steering text"
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              setChosen([]); // positions index the old text's tokens
            }}
          />
        </label>
        <div className="row wrap">
          <label className="row">
            Strength
            <input
              aria-label="Strength"
              type="number"
              step="0.5"
              min={-100}
              max={100}
              value={strength}
              onChange={(event) => setStrength(event.target.value)}
              style={{ width: '6rem' }}
            />
          </label>
          <label className="row">
            Compare
            <input
              aria-label="First compared token"
              value={compare[0]}
              onChange={(event) => setCompare([event.target.value, compare[1]])}
              style={{ width: '5rem' }}
            />
            <span className="muted">vs</span>
            <input
              aria-label="Second compared token"
              value={compare[1]}
              onChange={(event) => setCompare([compare[0], event.target.value])}
              style={{ width: '5rem' }}
            />
          </label>
          <label className="row">
            Continue
            <input
              aria-label="Continuation tokens"
              type="number"
              min={0}
              max={20}
              value={continuation}
              onChange={(event) => setContinuation(event.target.value)}
              style={{ width: '4rem' }}
            />
            tokens
          </label>
          <label
            className="row"
            title="A second steered run with every layer's attention pattern held at the unsteered model's: what the direction does through the residual stream alone"
          >
            <input type="checkbox" checked={freeze} onChange={(event) => setFreeze(event.target.checked)} />
            also with attention frozen
          </label>
          <button type="submit" disabled={running}>
            {running ? 'Steering…' : 'Steer'}
          </button>
        </div>
        {result && (
          <div className="stack">
            <span className="small muted">
              Positions: {chosen.length ? `token${chosen.length > 1 ? 's' : ''} ${chosen.join(', ')}` : 'every token'}{' '}
              (click tokens to choose; applies on the next run)
            </span>
            <div className="tokens" data-testid="steer-tokens">
              {result.tokens.map((token, t) => (
                <button
                  // biome-ignore lint/suspicious/noArrayIndexKey: tokens repeat; their position is their identity
                  key={t}
                  type="button"
                  className="token"
                  aria-pressed={chosen.includes(t)}
                  title={`position ${t}`}
                  onClick={() => toggle(t)}
                >
                  {token}
                </button>
              ))}
            </div>
          </div>
        )}
      </form>
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
      {result && (
        <>
          <p className="small" data-testid="steer-scale">
            {result.scaleSource === 'DASHBOARD'
              ? `Strength ${Number(strength)} × max activation ${result.scale.toFixed(3)} (from its dashboard)`
              : 'No dashboard for this feature yet: strength is in activation units (× 1)'}
            {` · added vector norm ${result.addedNorm.toFixed(2)} at ${
              result.positions
                ? `position${result.positions.length > 1 ? 's' : ''} ${result.positions.join(', ')}`
                : 'every position'
            }`}
          </p>
          <div className={result.frozen ? 'grid-3' : 'grid-2'}>
            <SteeringColumn
              id="unsteered"
              title="Unsteered"
              text={text}
              run={result.unsteered}
              compare={result.compareTokens}
            />
            <SteeringColumn
              id="steered"
              title={`Steered (${Number(strength) >= 0 ? '+' : ''}${Number(strength)})`}
              text={text}
              run={result.steered}
              compare={result.compareTokens}
              baseline={result.unsteered}
            />
            {result.frozen && (
              <SteeringColumn
                id="frozen"
                title="Steered, attention frozen"
                text={text}
                run={result.frozen}
                compare={result.compareTokens}
                baseline={result.unsteered}
              />
            )}
          </div>
          {ranWith && <SaveSteeringEvidence feature={feature} inputs={ranWith} />}
        </>
      )}
    </section>
  );
}

function SteeringColumn(props: {
  id: 'unsteered' | 'steered' | 'frozen';
  title: string;
  text: string;
  run: SteeringRun;
  compare: string[] | null;
  baseline?: SteeringRun;
}) {
  const { run, compare, baseline } = props;
  const peak = Math.max(...run.topTokens.map((t) => t.probability), 1e-9);
  const shift =
    baseline && run.logitDiff !== null && baseline.logitDiff !== null ? run.logitDiff - baseline.logitDiff : null;
  return (
    <div className="stack" data-testid={`steer-${props.id}`}>
      <h3 className="section-title">{props.title}</h3>
      {compare && run.logitDiff !== null && (
        <p data-testid="logit-diff">
          logit(“{compare[0]}”) − logit(“{compare[1]}”) = <strong>{run.logitDiff.toFixed(2)}</strong>
          {shift !== null && (
            <span className="muted">
              {' '}
              ({shift >= 0 ? '+' : ''}
              {shift.toFixed(2)})
            </span>
          )}
        </p>
      )}
      <p data-testid="continuation">
        <span className="muted">{props.text}</span>
        <strong>{run.continuationText}</strong>
      </p>
      <table className="small">
        <thead>
          <tr>
            <th>next token</th>
            <th>probability</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {run.topTokens.map((t) => (
            <tr key={t.tokenId}>
              <td>
                <code>{JSON.stringify(t.token)}</code>
              </td>
              <td>
                <div className="bar-track">
                  <div className="bar" style={{ width: `${(100 * t.probability) / peak}%` }} />
                </div>
              </td>
              <td className="muted">{(100 * t.probability).toFixed(1)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
