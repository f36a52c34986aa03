// Label drafts from a feature's dashboard: the prompts an LLM explains and scores a feature with (after delphi's
// explainer and detection scorer), how its answers are read, and the token-pattern draft made without an LLM.
import type { FeatureContext } from '@workbench/analysis';
import type { ChatMessage } from './llm.js';

/** What a draft reads of a feature's stored dashboard. */
export interface DashboardContexts {
  topContexts: FeatureContext[];
  quantiles: { from: number; to: number; contexts: FeatureContext[] }[];
  topLogits: { token: string; value: number }[];
  bottomLogits: { token: string; value: number }[];
}

/** Activating contexts the detection test holds out per feature (as many non-activating ones join them). */
export const DETECTION_ACTIVATING = 5;

/**
 * The dashboard's contexts in two sets that share none: the explainer sees the strongest contexts of even rank and
 * the first example of each quantile bin; the detection test is drawn from the rest (odd-ranked top contexts and
 * the bins' other examples, strongest bins first), so the label is never scored on what it was written from.
 */
export function splitContexts(d: DashboardContexts): { explain: FeatureContext[]; heldOut: FeatureContext[] } {
  const explain = d.topContexts.filter((_, i) => i % 2 === 0);
  const heldOut = d.topContexts.filter((_, i) => i % 2 === 1);
  for (const bin of d.quantiles) if (bin.contexts[0]) explain.push(bin.contexts[0]);
  for (const bin of [...d.quantiles].reverse()) heldOut.push(...bin.contexts.slice(1));
  return { explain: explain.filter(fires), heldOut: heldOut.filter(fires) };
}

const fires = (c: FeatureContext) => c.values.some((v) => v > 0);

/** A token as the prompt shows it: newlines and tabs visible, so each example stays on one line. */
const shown = (token: string) => token.replace(/\n/g, '\\n').replace(/\t/g, '\\t');

/** The context's text with every run of activating tokens between << and >>, as delphi's explainer shows them. */
export function markContext(c: FeatureContext): string {
  let out = '';
  let open = false;
  for (const [i, token] of c.tokens.entries()) {
    const active = (c.values[i] ?? 0) > 0;
    if (active && !open) out += '<<';
    if (!active && open) out += '>>';
    open = active;
    out += shown(token);
  }
  return open ? `${out}>>` : out;
}

/** Each activating token with its activation on a 0-10 scale of the feature's strongest activation shown. */
function activationList(c: FeatureContext, max: number): string {
  const parts = c.tokens
    .map((token, i) => ({ token, value: c.values[i] ?? 0 }))
    .filter((t) => t.value > 0)
    .map((t) => `${JSON.stringify(shown(t.token))} ${Math.round((10 * t.value) / max)}`);
  return parts.join(', ');
}

const EXPLAINER_SYSTEM = `You are a meticulous AI researcher investigating what one feature of a sparse autoencoder on a \
language model responds to. You will see text examples in which the tokens where the feature activates are marked \
between delimiters like <<this>>; consecutive activating tokens share one pair of delimiters <<like this>>. After \
each example, the activating tokens are listed with how strongly the feature fires on each (0 to 10).
Find the pattern common to the marked tokens and, where it helps, to the text around them or to what comes next.
- Be concise: the label names the pattern in at most 8 words; do not mention "the feature" or the delimiters.
- Answer with exactly two lines, and nothing else:
[LABEL]: <the short label>
[EXPLANATION]: <one or two sentences saying what the feature fires on>`;

/** The explainer's chat: the explain set's contexts, marked, strongest first. */
export function explainerMessages(contexts: FeatureContext[]): ChatMessage[] {
  const max = Math.max(...contexts.flatMap((c) => c.values), Number.MIN_VALUE);
  const examples = contexts
    .map((c, i) => `Example ${i + 1}: ${markContext(c)}\nActivations: ${activationList(c, max)}`)
    .join('\n\n');
  return [
    { role: 'system', content: EXPLAINER_SYSTEM },
    { role: 'user', content: examples },
  ];
}

const MAX_NAME = 120;
const MAX_DESCRIPTION = 2000;

/** The label's name and description from the explainer's answer; a bare one-line answer is the name. */
export function parseExplanation(answer: string): { name: string; description: string } {
  // Models dress the tags up ("**[LABEL]:**", "Label:"): read past the bold and brackets.
  const field = (tag: string) => new RegExp(`^\\s*\\**\\[?${tag}\\]?\\**\\s*:\\**\\s*(.+)$`, 'im').exec(answer)?.[1];
  // Bold marks and a closing period go; quotes only when they wrap the whole label (`the token "said"` keeps its own).
  const unquote = (s: string) => {
    const bare = s.replace(/^[\s*]+|[\s*]+$/g, '').replace(/\.$/, '');
    const wrapped = /^(["'“])(.*)(["'”])$/.exec(bare);
    return (wrapped && !/["“”]/.test(wrapped[2]!) ? wrapped[2]! : bare).trim();
  };
  const lines = answer
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const name = unquote(field('LABEL') ?? lines.at(-1) ?? '');
  if (!name) throw new Error('the explanation was empty');
  const description = (field('EXPLANATION') ?? '').trim();
  return { name: name.slice(0, MAX_NAME), description: description.slice(0, MAX_DESCRIPTION) };
}

const DETECTION_SYSTEM = `You are an intelligent and meticulous linguistics researcher. You will be given a label \
that describes what a feature of a language model responds to, such as "male pronouns" or "text with negative \
sentiment", and several numbered text examples. For each example in turn, answer 1 if the feature described by the \
label would activate somewhere in it, and 0 if not.
Answer with a JSON array of 0s and 1s, one entry per example, in order, and nothing else.`;

export interface DetectionExample {
  context: FeatureContext;
  activating: boolean;
}

/** The detection chat: the label and the examples as plain text (no marks), in the given (shuffled) order. */
export function detectionMessages(label: { name: string; description: string }, examples: DetectionExample[]) {
  const described = label.description ? `${label.name}: ${label.description}` : label.name;
  const text = examples.map((e, i) => `Example ${i + 1}: ${e.context.tokens.map(shown).join('')}`).join('\n');
  return [
    { role: 'system', content: DETECTION_SYSTEM },
    { role: 'user', content: `Label: ${described}\n\nExamples:\n${text}` },
  ] satisfies ChatMessage[];
}

/** The 0/1 answers of a detection reply; an error when it has no array of exactly `count` of them. */
export function parseDetection(answer: string, count: number): boolean[] {
  const match = /\[[\s\d,.]*\]/.exec(answer);
  let values: unknown;
  try {
    values = match ? JSON.parse(match[0]) : null;
  } catch {
    values = null;
  }
  if (!Array.isArray(values) || values.length !== count || values.some((v) => v !== 0 && v !== 1)) {
    throw new Error(
      `the detection answer is not a JSON array of ${count} 0s and 1s: ${JSON.stringify(answer.slice(0, 120))}`,
    );
  }
  return values.map((v) => v === 1);
}

export interface DetectionScore {
  /** Balanced accuracy: the mean of the share of activating examples said to activate and of the others said not to. */
  score: number;
  truePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  falsePositives: number;
}

/** Balanced accuracy of the answers against the truth; needs at least one example of each kind. */
export function balancedAccuracy(examples: DetectionExample[], answers: boolean[]): DetectionScore {
  let truePositives = 0;
  let falseNegatives = 0;
  let trueNegatives = 0;
  let falsePositives = 0;
  for (const [i, e] of examples.entries()) {
    if (e.activating) answers[i] ? truePositives++ : falseNegatives++;
    else answers[i] ? falsePositives++ : trueNegatives++;
  }
  const positives = truePositives + falseNegatives;
  const negatives = trueNegatives + falsePositives;
  if (!positives || !negatives) throw new Error('balanced accuracy needs activating and non-activating examples');
  const score = (truePositives / positives + trueNegatives / negatives) / 2;
  return { score, truePositives, falseNegatives, trueNegatives, falsePositives };
}

/** A deterministic shuffle (mulberry32 seeded), so a resumed job asks the same question in the same order. */
export function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface TokenPatternDraft {
  name: string;
  description: string;
  /** The tokens it fires on most (by summed activation over the dashboard's contexts), with their share of it. */
  firesOn: { token: string; share: number }[];
  promotes: string[];
  suppresses: string[];
}

const quoted = (token: string) => JSON.stringify(token);

/**
 * A draft without a language model: the tokens the feature fires on most in its dashboard's contexts, and the tokens
 * its decoder direction promotes and suppresses through the unembedding (the dashboard's logit effects). Null when
 * the dashboard shows it firing nowhere.
 */
export function tokenPatternDraft(d: DashboardContexts, top = 3): TokenPatternDraft | null {
  const mass = new Map<string, number>();
  const contexts = [...d.topContexts, ...d.quantiles.flatMap((q) => q.contexts)];
  for (const c of contexts) {
    for (const [i, token] of c.tokens.entries()) {
      const v = c.values[i] ?? 0;
      if (v > 0) mass.set(token, (mass.get(token) ?? 0) + v);
    }
  }
  const total = [...mass.values()].reduce((a, b) => a + b, 0);
  if (!total) return null;
  const firesOn = [...mass.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([token, m]) => ({ token, share: m / total }));
  const promotes = d.topLogits.slice(0, top).map((t) => t.token);
  const suppresses = d.bottomLogits.slice(0, top).map((t) => t.token);
  const fired = firesOn.map((t) => quoted(t.token)).join(', ');
  const name = `fires on ${fired}${promotes.length ? `; promotes ${promotes.map(quoted).join(', ')}` : ''}`;
  const percent = (share: number) => `${Math.round(100 * share)}%`;
  const description =
    `Token-pattern draft (no language model). Of the activation in the dashboard's ${contexts.length} contexts, ` +
    `${firesOn.map((t) => `${quoted(t.token)} has ${percent(t.share)}`).join(', ')}.` +
    (promotes.length ? ` Its decoder direction promotes ${promotes.map(quoted).join(', ')}` : '') +
    (suppresses.length ? ` and suppresses ${suppresses.map(quoted).join(', ')}` : '') +
    (promotes.length ? ' through the unembedding.' : '');
  return { name: name.slice(0, MAX_NAME), description, firesOn, promotes, suppresses };
}
