// types.ts - the shapes of the public HTTP API (docs/CONTRACT.md "HTTP API").

export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type StageStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

/** The pipeline's stage names come from the server (/openapi.json, schema StageName). */
export type StageName = string;

/** A stage as the run page shows it: stored row merged with live events. */
export interface StageView {
  stage: string;
  status: string;
  error: string | null;
  seconds: number | null;
  startedAt: number | null;
}

/** The part of /openapi.json the dashboard reads. */
export interface OpenApiDoc {
  components?: { schemas?: { StageName?: { enum?: string[] } } };
}

export interface RunSummary {
  run_id: string;
  channel_id: string;
  topic: string;
  status: RunStatus | string;
  dry_run: boolean;
  created_at: string | null;
  completed_at: string | null;
  batch_id?: string | null;
  publish_at?: string | null;
}

/** One decision or edit at a review gate. */
export interface ReviewEntry {
  action: 'approve' | 'reject' | 'edit_script' | 'edit_metadata' | string;
  key_id?: string | null;
  at: string;
  stage?: string;
  notes?: string;
  from_stage?: string;
  fields?: string[];
}

export interface ReviewInfo {
  mode: 'none' | 'script' | 'video' | 'both' | null;
  stage: 'script' | 'video' | null;
  history: ReviewEntry[];
}

export interface ScriptSection {
  heading: string;
  narration: string;
  on_screen_text?: string;
  visual_notes?: string;
  duration_seconds?: number;
}

export interface Script {
  title: string;
  sections: ScriptSection[];
  [k: string]: unknown;
}

/** A stock item the video uses, as metadata.json credits it (agents/credits.c): `line` is the
 * exact line the description carries for it. */
export interface Credit {
  source: string;
  author: string;
  url: string;
  id?: string;
  author_url?: string;
  section?: number;
  line?: string;
}

export interface VideoMetadata {
  title: string;
  /** The description to upload less the chapters the publisher measures: the text, then the
   * credit lines under credits_heading. */
  description: string;
  tags: string[];
  credits?: Credit[];
  credits_heading?: string;
  category_id?: string;
  privacy?: string;
  publish_at?: string | null;
  thumbnail?: string;
  [k: string]: unknown;
}

export interface BatchResult {
  batch_id: string;
  channel_id: string;
  runs: { run_id: string; status: string; topic: string; publish_at?: string | null }[];
}

export interface StageInfo {
  stage: string;
  status: StageStatus | string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

export interface RunDetail extends RunSummary {
  brand_name: string;
  current_agent: string | null;
  updated_at: string | null;
  result: Record<string, unknown> | null;
  errors: unknown[];
  stages?: StageInfo[];
  cost_usd?: number | null;
  review?: ReviewInfo;
  /** Each model the run used, and whether yaa knows its price (else it counted $0). */
  models?: { agent: string; provider: string; model: string; kind: string; priced: boolean }[];
  /** Things the reader should know, e.g. "no price for model 'x' … cost_usd is too low". */
  warnings?: string[];
}

export interface RunList {
  runs: RunSummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface DashboardSummary {
  total_runs: number;
  active_runs: number;
  success_runs: number;
  failed_runs: number;
  avg_duration_sec: number | null;
  estimated_cost_usd: number | null;
  recent_runs: RunSummary[];
  awaiting_review?: number;
}

export interface ChannelInfo {
  channel_id: string;
  name: string;
  category: string;
  has_brand_guide: boolean;
  description?: string;
  language?: string;
  // Spend this month and the budget of config.yaml (budget.monthly_usd / per_run_usd).
  spend_month_usd?: number | null;
  budget?: { monthly_usd: number | null; per_run_usd: number | null } | null;
  // Not in the contract; shown when a server provides it.
  brand_guide?: unknown;
}

/** GET /channels/{id}/youtube: which YouTube account the channel uploads with. */
export interface YouTubeAccount {
  channel_id: string;
  account: 'channel' | 'global' | 'none';
  can_connect: boolean;
  youtube_channel_id: string | null;
  title: string | null;
  connected_at: string | null;
}

export interface Health {
  status: string;
  version?: string;
  database?: string;
  queue?: string;
  [k: string]: unknown;
}

export interface UsageTotals {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
  events: number;
}

export interface UsageGroup extends UsageTotals {
  key: string | null;
}

export interface UsageSummary {
  totals: UsageTotals;
  groups: UsageGroup[];
}

export interface ApiKeyInfo {
  key_id: string;
  name: string;
  scopes: string[];
  is_active: boolean;
  created_at: string | null;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface NewApiKey {
  api_key: string;
  key_id: string;
  name: string;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
}

export interface AuditLog {
  id: number;
  timestamp: string | null;
  method: string;
  path: string;
  status_code: number | null;
  api_key_id: string | null;
  ip_address: string | null;
  duration_ms: number | null;
}

export interface AuditLogList {
  logs: AuditLog[];
  total: number;
  limit: number;
  offset: number;
}

export interface ValidationItem {
  loc: (string | number)[];
  msg: string;
  type?: string;
}
