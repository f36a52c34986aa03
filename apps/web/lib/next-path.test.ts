import { describe, expect, it } from 'vitest';
import { safeNextPath, signInHref } from './next-path';

describe('safeNextPath: sign-in returns only to paths on this site', () => {
  it('keeps same-site paths with their query and fragment', () => {
    expect(safeNextPath('/c/ab12cd?share=tok_en-1')).toBe('/c/ab12cd?share=tok_en-1');
    expect(safeNextPath('/invite/abc')).toBe('/invite/abc');
    expect(safeNextPath('/models/demo/demo/blocks.1.hook_resid_post/7#labels')).toBe(
      '/models/demo/demo/blocks.1.hook_resid_post/7#labels',
    );
  });

  it('refuses other origins, protocol-relative and backslash forms, schemes and control characters', () => {
    for (const hostile of [
      'https://evil.org/',
      '//evil.org',
      '///evil.org',
      '/\\evil.org',
      '/\\/evil.org',
      '/\t/evil.org',
      '/\n/evil.org',
      'javascript:alert(1)',
      'evil.org',
      ' /x',
      '',
      null,
      undefined,
    ]) {
      expect(safeNextPath(hostile)).toBe('/');
    }
  });

  it('builds sign-in links that come back, except to the home page or sign-in itself', () => {
    expect(signInHref('/c/ab12cd?share=t')).toBe('/signin?next=%2Fc%2Fab12cd%3Fshare%3Dt');
    expect(signInHref('/')).toBe('/signin');
    expect(signInHref('/signin?next=%2Fx')).toBe('/signin');
    expect(signInHref('//evil.org')).toBe('/signin');
  });
});
