import { describe, expect, it } from 'vitest';
import { SseParser, eventJson, type SseEvent } from '../src/sse';

function parse(chunks: string[]): SseEvent[] {
  const out: SseEvent[] = [];
  const p = new SseParser((e) => out.push(e));
  chunks.forEach((c) => p.push(c));
  p.end();
  return out;
}

describe('SseParser', () => {
  it('parses named events with JSON data', () => {
    const evs = parse(['event: stage\ndata: {"stage":"script_writer","status":"running"}\n\n']);
    expect(evs).toEqual([{ event: 'stage', data: '{"stage":"script_writer","status":"running"}', id: '' }]);
    expect(eventJson(evs[0])).toEqual({ stage: 'script_writer', status: 'running' });
  });

  it('joins multi-line data and defaults the event name to message', () => {
    expect(parse(['data: a\ndata: b\n\n'])).toEqual([{ event: 'message', data: 'a\nb', id: '' }]);
  });

  it('handles events split across chunks at any byte, and CRLF/CR line ends', () => {
    const text = 'event: log\r\ndata: {"message":"hello"}\r\n\r\nevent: done\rdata: {"status":"completed"}\r\r';
    for (let i = 1; i < text.length; i++) {
      const evs = parse([text.slice(0, i), text.slice(i)]);
      expect(evs.map((e) => e.event)).toEqual(['log', 'done']);
      expect(eventJson(evs[1])).toEqual({ status: 'completed' });
    }
  });

  it('ignores comments, unknown fields and a trailing incomplete event; keeps ids and retry', () => {
    const out: SseEvent[] = [];
    const p = new SseParser((e) => out.push(e));
    p.push(': keep-alive\n\nfoo: bar\nid: 7\nretry: 1500\ndata:x\n\ndata: partial');
    p.end();
    expect(out).toEqual([{ event: 'message', data: 'x', id: '7' }]);
    expect(p.retry).toBe(1500);
  });

  it('treats non-JSON data as a message', () => {
    expect(eventJson({ event: 'log', data: 'plain line', id: '' })).toEqual({ message: 'plain line' });
  });
});
