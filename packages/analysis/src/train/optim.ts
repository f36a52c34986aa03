/**
 * AdamW over Float32Array parameters (decoupled weight decay, bias-corrected moments), global-norm gradient
 * clipping and a linear-warmup + cosine-decay learning-rate schedule. Plain TypeScript: the parameters live in JS
 * and are fed to the training graph on every step.
 */

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (applied as p -= lr * wd * p). */
  weightDecay?: number;
  /** Parameters that get weight decay (default: all). Biases and LayerNorm gains usually do not. */
  decay?: (name: string) => boolean;
}

export class AdamW {
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly decay: (name: string) => boolean;

  constructor(
    readonly params: Map<string, Float32Array>,
    options: AdamWOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.decay = options.decay ?? (() => true);
    for (const [name, p] of params) {
      this.m.set(name, new Float32Array(p.length));
      this.v.set(name, new Float32Array(p.length));
    }
  }

  get steps(): number {
    return this.t;
  }

  /** One update with gradients by parameter name (missing = zero gradient), scaled by `gradScale` (clipping). */
  step(grads: Map<string, ArrayLike<number>>, lr: number, gradScale = 1): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps } = this;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const stepSize = lr / c1;
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) continue;
      if (g.length !== p.length)
        throw new Error(`AdamW: gradient of ${name} has ${g.length} values, expected ${p.length}`);
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const wd = this.decay(name) ? lr * this.weightDecay : 0;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]! * gradScale;
        const mi = b1 * m[i]! + (1 - b1) * gi;
        const vi = b2 * v[i]! + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i]! - wd * p[i]! - (stepSize * mi) / (Math.sqrt(vi / c2) + eps);
      }
    }
  }
}

/** Global L2 norm of all gradients. */
export function globalNorm(grads: Iterable<ArrayLike<number>>): number {
  let s = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return Math.sqrt(s);
}

/** Scale that clips the global gradient norm to `maxNorm` (1 when it is already below, or when maxNorm <= 0). */
export function clipScale(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0) || !Number.isFinite(norm) || norm <= maxNorm) return 1;
  return maxNorm / norm;
}

export interface ScheduleOptions {
  maxLr: number;
  /** Floor of the cosine decay (default maxLr / 10). */
  minLr?: number;
  warmupSteps: number;
  totalSteps: number;
}

/** Learning rate at `step` (0-based): linear warmup to maxLr, then cosine decay to minLr at totalSteps. */
export function learningRate(step: number, o: ScheduleOptions): number {
  const minLr = o.minLr ?? o.maxLr / 10;
  if (o.warmupSteps > 0 && step < o.warmupSteps) return (o.maxLr * (step + 1)) / o.warmupSteps;
  const span = Math.max(1, o.totalSteps - o.warmupSteps);
  const progress = Math.min(1, Math.max(0, (step - o.warmupSteps) / span));
  return minLr + 0.5 * (o.maxLr - minLr) * (1 + Math.cos(Math.PI * progress));
}

/** Normal(0, 1) samples from a uniform generator (Box-Muller). */
export function normalSampler(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
