import type { BrowserContext } from 'playwright-core';
import { TestClient } from '../../apps/server/src/testing/graphql-client.js';

/** The API client for browser tests: the server's TestClient, talking to the web app's /graphql proxy as a browser does. */
export class Api extends TestClient {
  constructor(readonly webUrl: string) {
    super(`${webUrl}/graphql`);
  }

  static override async signUp(webUrl: string, email: string, displayName = email): Promise<Api> {
    const api = new Api(webUrl);
    await api.ok('mutation($i: SignUpInput!) { signUp(input: $i) { id } }', {
      i: { email, displayName, password: 'a long enough password' },
    });
    return api;
  }

  /** Signs a browser context in as this user (the same session cookie). */
  async signInBrowser(context: BrowserContext): Promise<void> {
    const [name, ...value] = this.sessionCookie.split('=');
    await context.addCookies([{ name: name!, value: value.join('='), url: this.webUrl }]);
  }
}

/** A layered test circuit: `layers` x `positions` cells with `perCell` features each, edges to the next layer. */
export function layeredGraph(layers: number, positions: number, perCell: number, edgesPerNode: number) {
  const nodes: Record<string, unknown>[] = [];
  const byLayer: string[][] = [];
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let layer = 0; layer < layers; layer++) {
    byLayer.push([]);
    for (let ctx = 0; ctx < positions; ctx++) {
      for (let k = 0; k < perCell; k++) {
        const feature = layer * 1000 + ctx * 100 + k;
        const id = `${layer}_${feature}_${ctx}`;
        byLayer[layer]!.push(id);
        nodes.push({
          id,
          layer,
          ctx_idx: ctx,
          feature,
          feature_type: 'cross layer transcoder',
          activation: Number((random() * 10).toFixed(3)),
          influence: Number(random().toFixed(4)),
        });
      }
    }
  }
  const edges: { source: string; target: string; weight: number }[] = [];
  const seen = new Set<string>();
  for (let layer = 0; layer + 1 < layers; layer++) {
    for (const source of byLayer[layer]!) {
      for (let e = 0; e < edgesPerNode; e++) {
        const targets = byLayer[layer + 1]!;
        const target = targets[Math.floor(random() * targets.length)]!;
        if (seen.has(`${source}->${target}`)) continue;
        seen.add(`${source}->${target}`);
        edges.push({ source, target, weight: Number(((random() - 0.3) * 2).toFixed(4)) });
      }
    }
  }
  return { nodes, edges, metadata: { modelId: 'demo', saeId: 'demo/blocks.{layer}.hook_resid_post' } };
}
