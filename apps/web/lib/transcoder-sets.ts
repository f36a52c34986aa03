/** A transcoder as the model catalog lists it (Model.transcoders). */
export interface ListedTranscoder {
  id: string;
  hookIn: string;
  dSae: number;
  architecture: string;
  k: number | null;
}

export interface TranscoderSet {
  /** What the graph job takes as `transcoders`: the ids' part before their last '/' (the server's rule). */
  name: string;
  /** Layers with a transcoder of their MLP (blocks.L.ln2.hook_normalized). */
  layers: number[];
  /** Whether every layer of the model has one: only then can a graph be computed. */
  complete: boolean;
  /** "4 layers, TopK k=16, 1,024 features each". */
  description: string;
}

const layerOf = (hook: string) => {
  const m = /^blocks\.(\d+)\.ln2\.hook_normalized$/.exec(hook);
  return m ? Number(m[1]) : null;
};

function describe(members: ListedTranscoder[], layers: number[]): string {
  const widths = [...new Set(members.map((t) => t.dSae))];
  const kinds = [...new Set(members.map((t) => (t.architecture === 'topk' ? `TopK k=${t.k}` : t.architecture)))];
  const width = widths.length === 1 ? `${widths[0]!.toLocaleString('en-US')} features each` : 'mixed widths';
  return `${layers.length} layer${layers.length === 1 ? '' : 's'}, ${kinds.join(' / ')}, ${width}`;
}

/** A model's transcoders grouped into the sets a graph job can use, complete ones first. */
export function transcoderSets(transcoders: readonly ListedTranscoder[], nLayers: number): TranscoderSet[] {
  const byName = new Map<string, ListedTranscoder[]>();
  for (const t of transcoders) {
    const name = t.id.slice(0, Math.max(0, t.id.lastIndexOf('/')));
    byName.set(name, [...(byName.get(name) ?? []), t]);
  }
  const sets = [...byName].map(([name, members]) => {
    const layers = [...new Set(members.map((t) => layerOf(t.hookIn)))]
      .filter((l): l is number => l !== null)
      .sort((a, b) => a - b);
    const complete = Array.from({ length: nLayers }, (_, l) => l).every((l) => layers.includes(l));
    return { name, layers, complete, description: describe(members, layers) };
  });
  return sets.sort((a, b) => Number(b.complete) - Number(a.complete));
}
