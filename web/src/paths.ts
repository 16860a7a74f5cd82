// paths.ts - every dashboard URL, declared once: the patterns the shell routes on (ROUTES in
// app.tsx) and the builders pages and components link with. No page is imported here, so
// any component may use it.
import { withQuery, type Query } from './api';

export const PATTERNS = {
  dashboard: '/',
  runs: '/runs',
  newRun: '/runs/new',
  run: '/runs/:id',
  channels: '/channels',
  channel: '/channels/:id',
  usage: '/usage',
  settings: '/settings',
} as const;

export type PageName = keyof typeof PATTERNS;

/** A pattern with its :params filled (encoded) and an optional query string. */
function fill(pattern: string, params: Record<string, string> = {}, query?: Query): string {
  const path = pattern.replace(/:(\w+)/g, (_, k: string) => encodeURIComponent(params[k] ?? ''));
  return withQuery(path, query);
}

export const paths = {
  dashboard: () => fill(PATTERNS.dashboard),
  runs: (query?: { status?: string; channel_id?: string; batch_id?: string }) => fill(PATTERNS.runs, {}, query),
  newRun: (channelId?: string) => fill(PATTERNS.newRun, {}, { channel_id: channelId }),
  run: (id: string) => fill(PATTERNS.run, { id }),
  channels: () => fill(PATTERNS.channels),
  channel: (id: string) => fill(PATTERNS.channel, { id }),
  usage: () => fill(PATTERNS.usage),
  settings: () => fill(PATTERNS.settings),
};
