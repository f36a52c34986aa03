import { describe, expect, it } from 'vitest';
import { allHookNames, blockHook, parseHookName } from './hooks.js';

describe('hook names', () => {
  it('lists every hook of a 2-layer model in forward order', () => {
    const names = allHookNames(2);
    expect(names[0]).toBe('hook_embed');
    expect(names).toContain('blocks.1.hook_resid_post');
    expect(names.at(-1)).toBe('ln_final.hook_scale');
    expect(names).toHaveLength(2 + 2 * 7 + 1);
  });

  it('round-trips block hook names and rejects unknown ones', () => {
    expect(parseHookName(blockHook(3, 'mlp.hook_post'))).toEqual({ layer: 3, hook: 'mlp.hook_post' });
    expect(parseHookName('hook_embed')).toEqual({ layer: null, hook: 'hook_embed' });
    expect(() => parseHookName('blocks.1.hook_nonsense')).toThrow(/unknown hook name "blocks.1.hook_nonsense"/);
    expect(() => blockHook(-1, 'hook_resid_pre')).toThrow(/non-negative/);
  });
});
