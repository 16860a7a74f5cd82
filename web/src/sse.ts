// sse.ts - server-sent events over fetch(): EventSource cannot send the X-API-Key header, so
// the dashboard reads the event stream body itself. SseParser implements the parsing rules of
// the HTML spec (event/data/id/retry fields, comments, CR/LF/CRLF line ends, multi-line data).
import { API_BASE, currentKey } from './api';

export interface SseEvent {
  event: string;
  data: string;
  id: string;
}

export class SseParser {
  private buf = '';
  private event = '';
  private data: string[] = [];
  private id = '';
  private sawCR = false;
  lastEventId = '';
  retry: number | null = null;

  constructor(private onEvent: (ev: SseEvent) => void) {}

  /** Feeds a chunk of decoded text; dispatches every complete event. */
  push(chunk: string): void {
    let text = chunk;
    if (this.sawCR && text.startsWith('\n')) text = text.slice(1);
    this.sawCR = false;
    this.buf += text;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buf);
      if (!m) break;
      // A lone CR at the very end may be the first half of a CRLF split across chunks.
      if (m[0] === '\r' && m.index === this.buf.length - 1) {
        this.sawCR = true;
      }
      const line = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  /** End of stream: an incomplete event is discarded, as the spec says. */
  end(): void {
    this.buf = '';
    this.event = '';
    this.data = [];
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const c = line.indexOf(':');
    const field = c < 0 ? line : line.slice(0, c);
    let value = c < 0 ? '' : line.slice(c + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
  }

  private dispatch(): void {
    this.lastEventId = this.id;
    if (this.data.length === 0) {
      this.event = '';
      return;
    }
    const ev = { event: this.event || 'message', data: this.data.join('\n'), id: this.lastEventId };
    this.event = '';
    this.data = [];
    this.onEvent(ev);
  }
}

export interface StreamOptions {
  signal: AbortSignal;
  onEvent: (ev: SseEvent) => void;
  onOpen?: () => void;
}

/** Reads GET path (under /api/v1) as an event stream until it ends or signal aborts.
 * Resolves when the server closes the stream; rejects with the HTTP status on errors. */
export async function streamEvents(path: string, opts: StreamOptions): Promise<void> {
  const headers: Record<string, string> = { Accept: 'text/event-stream' };
  const key = currentKey();
  if (key) headers['X-API-Key'] = key;
  const res = await fetch(API_BASE + path, { headers, signal: opts.signal, cache: 'no-store' });
  if (!res.ok || !res.body) {
    const err = new Error(`HTTP ${res.status}`) as Error & { status: number };
    err.status = res.status;
    throw err;
  }
  opts.onOpen?.();
  const parser = new SseParser(opts.onEvent);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value) parser.push(value);
    }
  } finally {
    parser.end();
    reader.releaseLock();
  }
}

/** Parses an event's data as JSON; plain text becomes {message: text}. */
export function eventJson(ev: SseEvent): Record<string, unknown> {
  try {
    const v = JSON.parse(ev.data);
    if (v && typeof v === 'object') return v as Record<string, unknown>;
    return { message: String(v) };
  } catch {
    return { message: ev.data };
  }
}
