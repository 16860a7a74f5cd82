// review.test.ts - the review screen's counters count as YouTube (and the server) do, and the
// pasted batch list is read line by line.
import { describe, expect, it } from 'vitest';
import { bytes, chars, composedDescription, splitTags, tagsTotal } from '../src/components/review';
import { parseTopics } from '../src/pages/newrun';

describe('YouTube limit counters', () => {
  it('counts characters as code points and the description in bytes', () => {
    expect(chars('무선 이어폰')).toBe(6);
    expect(bytes('무선 이어폰')).toBe(16);
    expect(chars('😀')).toBe(1);
  });
  it('counts a tag with a space as quoted and the commas between tags', () => {
    expect(tagsTotal(['pasta'])).toBe(5);
    expect(tagsTotal(['pasta', 'weeknight dinner'])).toBe(5 + 1 + 16 + 2);
    expect(splitTags(' a , b b,, c ')).toEqual(['a', 'b b', 'c']);
  });
});

describe('the composed description the counter counts', () => {
  const credits = [
    { source: 'pexels', author: 'Ann', url: 'https://www.pexels.com/video/1/', line: '- Ann on Pexels: https://www.pexels.com/video/1/' },
    { source: 'pexels', author: 'Bo', url: 'https://www.pexels.com/video/12/', line: '- Bo on Pexels: https://www.pexels.com/video/12/' },
  ];
  const head = 'Footage and photos:';
  const full = `Intro\n\n${head}\n${credits[0].line}\n${credits[1].line}`;
  it('is the text itself when it carries every credit', () => {
    expect(composedDescription(full, credits, head)).toBe(full);
    expect(composedDescription('Intro', [], head)).toBe('Intro');
  });
  it('adds back the lines an edit removed, under the heading, each once', () => {
    expect(composedDescription('Intro\n', credits, head)).toBe(full);
    expect(composedDescription(`Intro\n\n${head}\n${credits[1].line}`, credits, head)).toBe(`${full.replace(`\n${credits[0].line}`, '')}\n${credits[0].line}`);
    expect(composedDescription('', credits, head)).toBe(`${head}\n${credits[0].line}\n${credits[1].line}`);
    // a URL that only starts like a credited one is not that credit
    expect(composedDescription('see https://www.pexels.com/video/1', credits.slice(0, 1), head)).toContain(credits[0].line);
    expect(bytes(composedDescription('Intro', credits, head))).toBe(bytes(full));
  });
});

describe('pasted batch list', () => {
  it('reads one topic a line, an optional | publish_at, skipping blanks and comments', () => {
    expect(parseTopics('Sheet-pan salmon\n\n# later\nLentil soup | 2031-01-02T08:00:00Z\nA | B | \n')).toEqual([
      { topic: 'Sheet-pan salmon' },
      { topic: 'Lentil soup', publish_at: '2031-01-02T08:00:00Z' },
      { topic: 'A | B' },
    ]);
  });
});
