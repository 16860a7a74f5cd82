// review.test.ts - the review screen's counters count as YouTube (and the server) do, and the
// pasted batch list is read line by line.
import { describe, expect, it } from 'vitest';
import { bytes, chars, splitTags, tagsTotal } from '../src/components/review';
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

describe('pasted batch list', () => {
  it('reads one topic a line, an optional | publish_at, skipping blanks and comments', () => {
    expect(parseTopics('Sheet-pan salmon\n\n# later\nLentil soup | 2031-01-02T08:00:00Z\nA | B | \n')).toEqual([
      { topic: 'Sheet-pan salmon' },
      { topic: 'Lentil soup', publish_at: '2031-01-02T08:00:00Z' },
      { topic: 'A | B' },
    ]);
  });
});
