import { describe, expect, it } from 'vitest';
import { transcoderSets } from './transcoder-sets';

const tc = (
  id: string,
  layer: number,
  extra: Partial<{ dSae: number; architecture: string; k: number | null }> = {},
) => ({
  id,
  hookIn: `blocks.${layer}.ln2.hook_normalized`,
  dSae: 1024,
  architecture: 'topk',
  k: 16,
  ...extra,
});

describe('transcoder sets', () => {
  it('groups transcoders by the id before its last slash, complete sets first', () => {
    const sets = transcoderSets(
      [
        tc('arena/blocks.0.ln2.hook_normalized', 0, { dSae: 24576, architecture: 'standard', k: null }),
        tc('demo/blocks.1.ln2.hook_normalized', 1),
        tc('demo/blocks.0.ln2.hook_normalized', 0),
      ],
      2,
    );
    expect(sets).toEqual([
      { name: 'demo', layers: [0, 1], complete: true, description: '2 layers, TopK k=16, 1,024 features each' },
      { name: 'arena', layers: [0], complete: false, description: '1 layer, standard, 24,576 features each' },
    ]);
  });
});
