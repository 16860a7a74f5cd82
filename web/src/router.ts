// router.ts - a small history router: the server answers every dashboard path with
// index.html (SPA fallback), and this picks the page.
import { signal } from '@preact/signals';

const here = () =>
  typeof location === 'undefined' ? { path: '/', search: '' } : { path: location.pathname, search: location.search };

export const route = signal(here());

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  route.value = here();
  if (!replace && typeof window !== 'undefined') window.scrollTo?.(0, 0);
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    route.value = here();
  });
}

/** Matches "/runs/:id" style patterns; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.replace(/\/+$/, '').split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) out[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return out;
}

export function queryParams(): URLSearchParams {
  return new URLSearchParams(route.value.search);
}

/** Replaces the query string (filters, pages) without a new history entry. */
export function setQuery(params: Record<string, string | number | null | undefined>): void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  navigate(route.value.path + (s ? `?${s}` : ''), true);
}
