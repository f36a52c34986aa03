'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { errorMessage } from '../lib/errors';
import type { FeatureKey } from '../lib/graph';
import { SAE_FEATURE_NEIGHBOURS } from '../lib/labeling-operations';
import { featureInView, saePath, saeViewOf, saeViewQuery } from '../lib/labeling-url';
import { useAppRouter } from '../lib/navigation';
import { FEATURE_LABELS, VOTE_LABEL } from '../lib/operations';
import { Dialog } from './Dialog';

const SHORTCUTS: [string, string][] = [
  ['j', 'next feature (in the SAE page’s order and filter)'],
  ['k', 'previous feature'],
  ['n', 'next unlabeled feature'],
  ['l', 'label: focus the label form'],
  ['+', 'vote up the current label'],
  ['-', 'vote down the current label'],
  ['?', 'show or hide this help'],
];

/** Keys typed into a form field, or with a modifier, are the field's or the browser's, never a shortcut. */
function isTyping(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey) return true;
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Focuses the feature page's "Propose a label" name field, or an open edit form's when there is no proposal form. */
function focusLabelForm(): boolean {
  const field = document.querySelector<HTMLInputElement>(
    'form[aria-label="Propose a label"] input[name="name"], input[aria-label="Edited label name"]',
  );
  field?.focus();
  return Boolean(field);
}

/**
 * The feature page's labeling flow: where this feature is in the SAE page's order (carried in the URL: team, sort,
 * filter), links and keys to the previous, next and next unlabeled features, l to label, + and - to vote on the
 * current label (the best one of the team shown, else the best visible), ? for help.
 */
export function LabelingFlow({
  feature,
  teamId,
  signedIn,
  proposeRefusal,
}: {
  feature: FeatureKey;
  teamId: string | null;
  signedIn: boolean;
  /** Why this user cannot propose a label (lib/label-proposal.ts), null when they can: what `l` says then. */
  proposeRefusal: string | null;
}) {
  const router = useAppRouter();
  const search = useSearchParams();
  const view = { ...saeViewOf(new URLSearchParams(search.toString())), teamId };
  const neighbours = useQuery(SAE_FEATURE_NEIGHBOURS, {
    variables: { model: feature.modelId, sae: feature.saeId, featureIndex: feature.featureIndex, ...view },
    fetchPolicy: 'cache-and-network',
  });
  // The same query as the labels section: answered from its cache, and kept current by its subscription.
  const labels = useQuery(FEATURE_LABELS, {
    variables: { feature },
    fetchPolicy: 'cache-first',
  });
  const [vote] = useMutation(VOTE_LABEL);
  const [helpOpen, setHelpOpen] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const n = neighbours.data?.saeFeatureNeighbours;
  const all = labels.data?.featureLabels.edges.map((e) => e.node) ?? [];
  const current = all.find((l) => l.teamId === teamId) ?? all[0] ?? null;
  const go = (index: number | null | undefined) => {
    if (index === null || index === undefined) return false;
    router.push(featureInView({ ...feature, featureIndex: index }, view));
    return true;
  };

  useEffect(() => {
    async function castVote(value: 1 | -1) {
      if (!signedIn) return setMessage('Sign in to vote.');
      if (!current) return setMessage('No label to vote on yet: press l to propose one.');
      if (!current.can.vote) return setMessage(`Only members of its team (not viewers) vote on “${current.name}”.`);
      try {
        await vote({ variables: { labelId: current.id, value } });
        setMessage(`Voted ${value > 0 ? 'up' : 'down'} “${current.name}”.`);
      } catch (caught) {
        setMessage(errorMessage(caught));
      }
    }
    function onKey(event: KeyboardEvent) {
      if (isTyping(event)) return;
      // Until the neighbours have arrived there is nowhere to go yet (not "the last feature").
      if (!n && 'jkn'.includes(event.key)) return;
      const actions: Record<string, () => unknown> = {
        j: () => go(n?.next) || setMessage('This is the last feature in this order.'),
        k: () => go(n?.previous) || setMessage('This is the first feature in this order.'),
        n: () => go(n?.nextUnlabeled) || setMessage('No unlabeled feature after this one.'),
        // No form to focus: the reason there is none (or, for a member, that the form has not appeared yet).
        l: () => focusLabelForm() || setMessage(proposeRefusal ?? 'The label form is still loading; press l again.'),
        '+': () => castVote(1),
        '=': () => castVote(1),
        '-': () => castVote(-1),
        '?': () => setHelpOpen((open) => !open),
      };
      const action = actions[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (neighbours.error) return null; // a model this server does not serve has no SAE page to go through
  const link = (index: number | null | undefined, text: string, key: string) =>
    index === null || index === undefined ? (
      <span className="muted">{text}</span>
    ) : (
      <Link href={featureInView({ ...feature, featureIndex: index }, view)} aria-keyshortcuts={key}>
        {text}
      </Link>
    );
  return (
    <nav className="row wrap small" aria-label="Labeling flow" data-testid="labeling-flow">
      <Link href={`${saePath(feature.modelId, feature.saeId)}${saeViewQuery(view)}`}>← SAE page</Link>
      <span className="muted" data-testid="flow-position">
        {n
          ? n.position === null
            ? `not in this list (${n.total.toLocaleString('en-US')} features)`
            : `${n.position.toLocaleString('en-US')} of ${n.total.toLocaleString('en-US')}`
          : ''}
        {view.filter !== 'ALL' && ` · ${view.filter.toLowerCase().replace('_', ' ')}`}
        {view.sort !== 'INDEX' && ` · ${view.sort.toLowerCase().replace('_', ' ')}`}
      </span>
      {link(n?.previous, 'k previous', 'k')}
      {link(n?.next, 'j next', 'j')}
      {link(n?.nextUnlabeled, 'n next unlabeled', 'n')}
      <button type="button" className="secondary" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">
        ? shortcuts
      </button>
      {message && (
        <span role="status" data-testid="flow-message">
          {message}
        </span>
      )}
      <Dialog open={helpOpen} title="Keyboard shortcuts" onClose={() => setHelpOpen(false)}>
        <table>
          <tbody>
            {SHORTCUTS.map(([key, what]) => (
              <tr key={key}>
                <td>
                  <kbd>{key}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">Shortcuts do nothing while you type in a field; Escape leaves this help.</p>
      </Dialog>
    </nav>
  );
}
