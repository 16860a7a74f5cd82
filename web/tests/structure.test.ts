// structure.test.ts - the app's layering: components never import a page, and URLs are
// built from paths.ts (declared once) rather than written out in pages and components.
import { describe, expect, it } from 'vitest';
import { PATTERNS, paths } from '../src/paths';
import { match } from '../src/router';

const sources: Record<string, string> = import.meta.glob(['../src/components/*.{ts,tsx}', '../src/pages/*.{ts,tsx}'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
const read = (dir: string) =>
  Object.entries(sources)
    .filter(([name]) => name.startsWith(`../src/${dir}/`))
    .map(([name, text]) => ({ name, text }));

describe('structure', () => {
  it('components never import a page', () => {
    expect(read('components').length).toBeGreaterThan(3);
    for (const f of read('components')) expect(f.text, f.name).not.toMatch(/from '\.\.\/pages\//);
  });

  it('pages and components link through paths.ts, not written-out URLs', () => {
    for (const f of [...read('components'), ...read('pages')]) {
      expect(f.text, f.name).not.toMatch(/href=["{`]+\/[a-z]/);
      expect(f.text, f.name).not.toMatch(/navigate\([`'"]\/[a-z]/);
    }
  });

  it('every builder makes a URL its pattern matches', () => {
    expect(match(PATTERNS.run, paths.run('a b'))).toEqual({ id: 'a b' });
    expect(match(PATTERNS.channel, paths.channel('x_1'))).toEqual({ id: 'x_1' });
    expect(paths.runs({ status: 'failed' })).toBe('/runs?status=failed');
    expect(paths.newRun('c/1')).toBe('/runs/new?channel_id=c%2F1');
    expect(paths.newRun()).toBe('/runs/new');
    expect(match(PATTERNS.dashboard, paths.dashboard())).toEqual({});
  });
});
