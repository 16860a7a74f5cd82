// api.ts - the dashboard's only way to the server: fetch() under /api/v1 with the X-API-Key
// header, JSON in and out, errors as ApiError (status + the API's "detail").
import type {
  ApiKeyInfo, AuditLogList, BatchResult, ChannelInfo, Script, VideoMetadata, DashboardSummary, Health, NewApiKey, OpenApiDoc,
  RunDetail, RunList, UsageSummary, ValidationItem, YouTubeAccount,
} from './types';

export const API_BASE = '/api/v1';
export const KEY_STORAGE = 'yaa.api_key';

export class ApiError extends Error {
  status: number;
  detail: unknown;
  constructor(status: number, detail: unknown, message: string) {
    super(message);
    this.status = status;
    this.detail = detail;
  }
  /** 422 bodies: one entry per bad field. */
  get fields(): ValidationItem[] {
    return Array.isArray(this.detail) ? (this.detail as ValidationItem[]) : [];
  }
}

/** Maps a 422's detail list to {field: message} (the last element of loc names the field). */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  for (const item of err.fields) {
    const loc = Array.isArray(item.loc) ? item.loc : [];
    const field = String(loc.length ? loc[loc.length - 1] : '_');
    out[field] = out[field] ? `${out[field]}; ${item.msg}` : item.msg;
  }
  return out;
}

let apiKey: string | null = null;
let unauthorized: (() => void) | null = null;

/** Called when a request made with the stored key answers 401 (revoked or expired key). */
export function onUnauthorized(fn: () => void): void {
  unauthorized = fn;
}

export function loadKey(): string | null {
  try {
    apiKey = localStorage.getItem(KEY_STORAGE);
  } catch {
    apiKey = null;
  }
  return apiKey;
}

export function setKey(key: string | null): void {
  apiKey = key;
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    /* storage disabled: the key lives for this page only */
  }
}

export function currentKey(): string | null {
  return apiKey;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, q?: Query): string {
  if (!q) return path;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

function detailMessage(status: number, detail: unknown, fallback: string): string {
  if (typeof detail === 'string' && detail) return detail;
  if (Array.isArray(detail) && detail.length) {
    return detail
      .map((d: ValidationItem) => `${(d.loc ?? []).filter((x) => x !== 'body').join('.')}: ${d.msg}`)
      .join('; ');
  }
  return fallback || `HTTP ${status}`;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  key?: string | null;
  /** path is at the server root, not under /api/v1. */
  root?: boolean;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = opts.key !== undefined ? opts.key : apiKey;
  if (key) headers['X-API-Key'] = key;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const url = withQuery((opts.root ? '' : API_BASE) + path, opts.query);
  let res: Response;
  try {
    res = await fetch(url, { method: opts.method ?? 'GET', headers, body, signal: opts.signal });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError(0, null, 'network');
  }
  if (!res.ok) {
    let detail: unknown = null;
    try {
      const j = await res.json();
      detail = j?.detail ?? j;
    } catch {
      detail = null;
    }
    if (res.status === 401 && opts.key === undefined && apiKey) unauthorized?.();
    throw new ApiError(res.status, detail, detailMessage(res.status, detail, res.statusText));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  // The contract's table (base /api/v1) lists /health; a server that only has it at the root
  // is asked there after a 404.
  health: (signal?: AbortSignal) =>
    request<Health>('/health', { signal, key: null }).catch((e) => {
      if (e instanceof ApiError && e.status === 404) return request<Health>('/health', { signal, key: null, root: true });
      // 503 names the failing part in the same shape: show it rather than an error.
      if (e instanceof ApiError && e.status === 503 && e.detail && typeof e.detail === 'object') return e.detail as Health;
      throw e;
    }),
  summary: (limit = 5, signal?: AbortSignal) =>
    request<DashboardSummary>('/dashboard/summary', { query: { limit }, signal }),
  runs: (q: Query, signal?: AbortSignal) => request<RunList>('/pipeline/runs', { query: q, signal }),
  run: (id: string, signal?: AbortSignal) =>
    request<RunDetail>(`/pipeline/runs/${encodeURIComponent(id)}`, { signal }),
  startRun: (body: Record<string, unknown>) =>
    request<{ run_id: string; status: string }>('/pipeline/run', { method: 'POST', body }),
  cancelRun: (id: string) =>
    request<unknown>(`/pipeline/runs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),
  retryRun: (id: string, fromStage?: string) =>
    request<unknown>(`/pipeline/runs/${encodeURIComponent(id)}/retry`, {
      method: 'POST',
      body: fromStage ? { from_stage: fromStage } : {},
    }),
  startBatch: (body: Record<string, unknown>) =>
    request<BatchResult>('/pipeline/batch', { method: 'POST', body }),
  script: (id: string, signal?: AbortSignal) =>
    request<Script>(`/pipeline/runs/${encodeURIComponent(id)}/script`, { signal }),
  putScript: (id: string, script: Script) =>
    request<Script>(`/pipeline/runs/${encodeURIComponent(id)}/script`, { method: 'PUT', body: script }),
  metadata: (id: string, signal?: AbortSignal) =>
    request<VideoMetadata>(`/pipeline/runs/${encodeURIComponent(id)}/metadata`, { signal }),
  patchMetadata: (id: string, patch: Partial<VideoMetadata>) =>
    request<VideoMetadata>(`/pipeline/runs/${encodeURIComponent(id)}/metadata`, { method: 'PATCH', body: patch }),
  approve: (id: string) =>
    request<unknown>(`/pipeline/runs/${encodeURIComponent(id)}/approve`, { method: 'POST' }),
  reject: (id: string, notes: string, fromStage?: string) =>
    request<unknown>(`/pipeline/runs/${encodeURIComponent(id)}/reject`, {
      method: 'POST',
      body: fromStage ? { notes, from_stage: fromStage } : { notes },
    }),
  /** A JSON artifact of a run (metadata.json, quality.json); null when it is not there. */
  artifactJson: <T,>(id: string, name: string, signal?: AbortSignal) =>
    request<T>(`/pipeline/runs/${encodeURIComponent(id)}/artifacts/${name}`, { signal }).catch((e) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }),
  channels: (signal?: AbortSignal) =>
    request<{ channels: ChannelInfo[]; total: number }>('/channels', { signal }),
  channel: (id: string, signal?: AbortSignal) =>
    request<ChannelInfo>(`/channels/${encodeURIComponent(id)}`, { signal }),
  createChannel: (body: Record<string, unknown>) =>
    request<ChannelInfo>('/channels', { method: 'POST', body }),
  updateChannel: (id: string, body: Record<string, unknown>) =>
    request<ChannelInfo>(`/channels/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  deleteChannel: (id: string) =>
    request<unknown>(`/channels/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  youtubeAccount: (id: string, signal?: AbortSignal) =>
    request<YouTubeAccount>(`/channels/${encodeURIComponent(id)}/youtube`, { signal }),
  youtubeConnect: (id: string) =>
    request<{ auth_url: string; redirect_uri: string; expires_in: number }>(
      `/channels/${encodeURIComponent(id)}/youtube/connect`,
      { method: 'POST' },
    ),
  youtubeDisconnect: (id: string) =>
    request<unknown>(`/channels/${encodeURIComponent(id)}/youtube`, { method: 'DELETE' }),
  usageSummary: (q: Query, signal?: AbortSignal) =>
    request<UsageSummary>('/usage/summary', { query: q, signal }),
  keys: (signal?: AbortSignal) => request<{ keys: ApiKeyInfo[]; total: number }>('/admin/api-keys', { signal }),
  createKey: (body: Record<string, unknown>) =>
    request<NewApiKey>('/admin/api-keys', { method: 'POST', body }),
  revokeKey: (id: string) =>
    request<unknown>(`/admin/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  auditLogs: (q: Query, signal?: AbortSignal) =>
    request<AuditLogList>('/admin/audit-logs', { query: q, signal }),
};

let stageList: Promise<string[]> | null = null;

/** The pipeline's stages in order, as the server's /openapi.json declares them (schema
 * StageName); fetched once per page load. Empty if the document has no list. */
export function stageNames(): Promise<string[]> {
  if (!stageList) {
    stageList = request<OpenApiDoc>('/openapi.json', { root: true, key: null })
      .then((doc) => doc?.components?.schemas?.StageName?.enum ?? [])
      .catch((e) => {
        stageList = null; /* ask again next time */
        throw e;
      });
  }
  return stageList;
}

/** URL of a run's artifact (fetched with the key by the service worker or as a blob). */
export function artifactUrl(runId: string, name: string): string {
  return `${API_BASE}/pipeline/runs/${encodeURIComponent(runId)}/artifacts/${name
    .split('/')
    .map(encodeURIComponent)
    .join('/')}`;
}
