// markdown.ts - renders a run's script.md. The text comes from a model, so raw HTML is shown
// as text and links other than http(s)/mailto/relative are dropped.
import { Marked, type Tokens } from 'marked';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const md = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return esc(token.text);
    },
    link(this: unknown, token: Tokens.Link) {
      const href = token.href ?? '';
      const text = esc(token.text ?? '');
      if (!/^(https?:|mailto:|#|\/)/i.test(href)) return text;
      return `<a href="${esc(href)}" rel="noopener noreferrer" target="_blank">${text}</a>`;
    },
    // The page has its own h1/h2: the script's headings start at h3.
    heading(this: { parser: { parseInline: (t: Tokens.Heading['tokens']) => string } }, token: Tokens.Heading) {
      const level = Math.min(6, token.depth + 2);
      return `<h${level}>${this.parser.parseInline(token.tokens)}</h${level}>\n`;
    },
    image(token: Tokens.Image) {
      return esc(token.text ?? '');
    },
  },
});

export function renderMarkdown(src: string): string {
  return md.parse(src, { async: false }) as string;
}
