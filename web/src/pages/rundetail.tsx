// rundetail.tsx - one run: live stage timeline and log over server-sent events (read with
// fetch() so the key header is sent), cancel/retry, artifacts in tabs, cost by agent.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { Artifacts } from '../components/artifacts';
import { QualityPanel } from '../components/quality';
import { ReviewPanel } from '../components/review';
import { AsyncView, Card, ErrorBox, Link, Loading, StatusPill, errorText } from '../components/ui';
import { fmtDuration, fmtInt, fmtTime, fmtUsd, parseTime, secondsBetween } from '../format';
import { useAsync, useNow, useStageNames } from '../hooks';
import { t, type MsgKey } from '../i18n';
import { canWrite } from '../session';
import { eventJson, streamEvents, type SseEvent } from '../sse';
import type { RunDetail, StageInfo, StageView } from '../types';
import { paths } from '../paths';

// A run at a review gate is at rest too: its stream ends until a person decides.
const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'awaiting_review']);

interface LiveStage {
  status: string;
  error?: string | null;
  at: number; // when the event arrived (ms)
  startedLocal?: number;
  elapsed?: number;
}

interface LogLine {
  n: number;
  at: number;
  stage?: string;
  level?: string;
  message: string;
}

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'closed' | 'error';


/** Merges the stored stages with live events newer than the last fetch of the run. */
/** stages: the pipeline's order from the server; stages the run's rows or live events name
 * beyond it follow. */
/** quality.json exists once the media_editor (the video) is done. */
function hasQuality(d: RunDetail): boolean {
  return (d.stages ?? []).some((s) => s.stage === 'media_editor' && s.status === 'done');
}

export function stageViews(detail: RunDetail | undefined, live: Record<string, LiveStage>, fetchedAt: number, now: number, stages: readonly string[] = []): StageView[] {
  const byName = new Map<string, StageInfo>();
  for (const s of detail?.stages ?? []) byName.set(s.stage, s);
  const names = [...new Set([...stages, ...byName.keys(), ...Object.keys(live)])];
  return names.map((name) => {
    const st = byName.get(name);
    const lv = live[name];
    const useLive = lv && lv.at > fetchedAt;
    let status = useLive ? lv.status : st?.status ?? 'pending';
    const runDone = detail && TERMINAL.has(detail.status);
    if (runDone && status === 'running') status = detail.status === 'completed' ? 'done' : detail.status === 'cancelled' ? 'skipped' : 'failed';
    const startedAt = parseTime(st?.started_at) ?? lv?.startedLocal ?? null;
    let seconds: number | null = null;
    if (useLive && lv.elapsed !== undefined && status !== 'running') seconds = lv.elapsed;
    else if (st?.started_at && st?.finished_at) seconds = secondsBetween(st.started_at, st.finished_at);
    else if (status === 'running' && startedAt !== null) seconds = (now - startedAt) / 1000;
    return { stage: name, status, error: (useLive ? lv.error : st?.error) ?? st?.error ?? null, seconds, startedAt };
  });
}

function errorStrings(errors: unknown[] | undefined): string[] {
  return (errors ?? []).map((e) => (typeof e === 'string' ? e : (e as { message?: string; error?: string })?.message ?? (e as { error?: string })?.error ?? JSON.stringify(e)));
}

export function Timeline({ views, current }: { views: StageView[]; current: string | null }) {
  return (
    <ol class="timeline" data-testid="timeline">
      {views.map((v, i) => (
        <li key={v.stage} class={`tl-step tl-${v.status} ${current === v.stage ? 'tl-current' : ''}`} data-stage={v.stage} data-status={v.status} aria-current={current === v.stage ? 'step' : undefined}>
          <span class="tl-index" aria-hidden="true">
            {v.status === 'done' ? '✓' : v.status === 'failed' ? '✕' : v.status === 'skipped' ? '–' : i + 1}
          </span>
          <div class="tl-body">
            <div class="tl-name">
              {t(`stage.${v.stage}` as MsgKey) ?? v.stage}
              <span class="tl-agent mono">{v.stage}</span>
            </div>
            <div class="tl-meta">
              <StatusPill status={v.status} />
              <span class="num">{v.seconds !== null ? fmtDuration(v.seconds) : ''}</span>
            </div>
            {v.error && <div class="tl-error" role="note">{v.error}</div>}
          </div>
        </li>
      ))}
    </ol>
  );
}

function CostByAgent({ runId, version }: { runId: string; version: number }) {
  const u = useAsync((s) => api.usageSummary({ run_id: runId, group_by: 'agent' }, s), [runId, version]);
  return (
    <Card title={t('run.cost')} id="cost">
      <AsyncView state={u} isEmpty={(d) => d.groups.length === 0} empty={t('run.noCost')}>
        {(d) => (
          <div data-testid="run-cost">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{t('usage.key')}</th>
                  <th scope="col" class="num">{t('usage.tokens')}</th>
                  <th scope="col" class="num">{t('usage.cost')}</th>
                </tr>
              </thead>
              <tbody>
                {d.groups.map((g) => (
                  <tr key={g.key ?? '-'}>
                    <td>{g.key ?? '—'}</td>
                    <td class="num">{fmtInt(g.total_tokens)}</td>
                    <td class="num">{fmtUsd(g.cost_usd)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t('run.costTotal')}</th>
                  <td class="num">{fmtInt(d.totals.total_tokens)}</td>
                  <td class="num" data-testid="run-cost-total">{fmtUsd(d.totals.cost_usd)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
        )}
      </AsyncView>
    </Card>
  );
}

export function RunDetailPage({ id }: { id: string }) {
  const [detail, setDetail] = useState<RunDetail | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [fetchedAt, setFetchedAt] = useState(0);
  const [live, setLive] = useState<Record<string, LiveStage>>({});
  const [logs, setLogs] = useState<LogLine[]>([]);
  const [stream, setStream] = useState<StreamState>('connecting');
  const [epoch, setEpoch] = useState(0); // bumps on retry: a new stream
  const [costVersion, setCostVersion] = useState(0);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'cancel' | 'retry' | null>(null);
  const [fromStage, setFromStage] = useState('');
  const logN = useRef(0);
  const logBox = useRef<HTMLDivElement>(null);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const fetchDetail = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const started = Date.now();
        const d = await api.run(id, signal);
        setDetail(d);
        setFetchedAt(started);
        setLoadError(null);
        return d;
      } catch (e) {
        if ((e as Error)?.name !== 'AbortError') setLoadError(e);
        return undefined;
      }
    },
    [id],
  );

  const scheduleRefetch = useCallback(() => {
    if (refetchTimer.current) return;
    refetchTimer.current = setTimeout(() => {
      refetchTimer.current = null;
      void fetchDetail();
    }, 250);
  }, [fetchDetail]);

  // Reset when the run changes.
  useEffect(() => {
    setDetail(undefined);
    setLive({});
    setLogs([]);
    setLoadError(null);
  }, [id]);

  // The event stream: follows the run until `done`, reconnecting if the connection drops.
  useEffect(() => {
    const ac = new AbortController();
    let stopped = false;
    const onEvent = (ev: SseEvent) => {
      const data = eventJson(ev);
      const now = Date.now();
      if (ev.event === 'stage') {
        const stage = String(data.stage ?? '');
        if (!stage) return;
        const status = String(data.status ?? 'running');
        const elapsed = typeof data.elapsed_sec === 'number' ? data.elapsed_sec : undefined;
        setLive((prev) => ({
          ...prev,
          [stage]: {
            status,
            error: (data.error as string) ?? (status === 'failed' ? (data.message as string) : null) ?? null,
            at: now,
            startedLocal: status === 'running' ? now : prev[stage]?.startedLocal,
            elapsed,
          },
        }));
        scheduleRefetch();
      } else if (ev.event === 'log') {
        const message = String(data.message ?? data.msg ?? ev.data);
        setLogs((prev) => {
          const next = [...prev, { n: ++logN.current, at: now, stage: data.stage as string | undefined, level: data.level as string | undefined, message }];
          return next.length > 500 ? next.slice(next.length - 500) : next;
        });
      } else if (ev.event === 'error') {
        const message = String(data.detail ?? data.message ?? ev.data);
        setLogs((prev) => [...prev, { n: ++logN.current, at: now, level: 'error', message }]);
      } else if (ev.event === 'done') {
        stopped = true;
        setStream('closed');
        void fetchDetail().then(() => setCostVersion((v) => v + 1));
      }
    };
    (async () => {
      let d = await fetchDetail(ac.signal);
      let attempt = 0;
      while (!ac.signal.aborted && !stopped) {
        if (d && TERMINAL.has(d.status)) {
          setStream('closed');
          return;
        }
        try {
          await streamEvents(`/pipeline/runs/${encodeURIComponent(id)}/events`, {
            signal: ac.signal,
            onEvent,
            onOpen: () => {
              attempt = 0;
              setStream('live');
            },
          });
        } catch (e) {
          if (ac.signal.aborted) return;
          const status = (e as { status?: number }).status;
          if (status === 401 || status === 403 || status === 404) {
            setStream('error');
            return;
          }
        }
        if (ac.signal.aborted || stopped) return;
        setStream('reconnecting');
        attempt++;
        await new Promise((r) => setTimeout(r, Math.min(5000, 500 * attempt)));
        d = await fetchDetail(ac.signal);
      }
    })();
    return () => {
      ac.abort();
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
      refetchTimer.current = null;
    };
  }, [id, epoch, fetchDetail, scheduleRefetch]);

  // Keep the log scrolled to the newest line unless the reader scrolled up.
  useEffect(() => {
    const el = logBox.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [logs.length]);

  const running = !!detail && !TERMINAL.has(detail.status);
  const now = useNow(1000, running);
  const stages = useStageNames();

  if (loadError && !detail) {
    return (
      <div class="page">
        <p>
          <Link href={paths.runs()}>← {t('runs.title')}</Link>
        </p>
        <ErrorBox error={loadError} onRetry={() => void fetchDetail()} />
      </div>
    );
  }
  if (!detail) return <div class="page"><Loading /></div>;

  const views = stageViews(detail, live, fetchedAt, now, stages);
  const current = detail.current_agent ?? views.find((v) => v.status === 'running')?.stage ?? null;
  const errs = errorStrings(detail.errors);
  const total = detail.completed_at ? secondsBetween(detail.created_at, detail.completed_at) : running ? (now - (parseTime(detail.created_at) ?? now)) / 1000 : null;

  const cancel = async () => {
    if (!confirm(t('run.cancelConfirm'))) return;
    setBusy('cancel');
    setActionError(null);
    try {
      await api.cancelRun(id);
      await fetchDetail();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };
  const retry = async () => {
    setBusy('retry');
    setActionError(null);
    try {
      await api.retryRun(id, fromStage || undefined);
      setLive({});
      setLogs([]);
      setStream('connecting');
      setEpoch((x) => x + 1);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="page">
      <p class="crumbs">
        <Link href={paths.runs()}>← {t('runs.title')}</Link>
      </p>
      <div class="page-head">
        <div>
          <h1 class="run-title">{detail.topic}</h1>
          <div class="run-sub">
            <StatusPill status={detail.status} />
            <Link href={paths.channel(detail.channel_id)}>{detail.channel_id}</Link>
            {detail.brand_name && (
              <span>
                {t('run.brand')}: {detail.brand_name}
              </span>
            )}
            {detail.dry_run && <span class="tag">{t('run.dryRun')}</span>}
            <span class="mono muted">{detail.run_id}</span>
          </div>
        </div>
        {canWrite.value && (
          <div class="actions">
            {running && (
              <button type="button" class="btn btn-danger" onClick={cancel} disabled={busy !== null} data-testid="cancel-run">
                {t('run.cancel')}
              </button>
            )}
            {!running && detail.status !== 'completed' && (
              <>
                <label class="sr-only" for="retry-from">
                  {t('run.retryFrom')}
                </label>
                <select id="retry-from" value={fromStage} onChange={(e) => setFromStage((e.target as HTMLSelectElement).value)} class="select-sm">
                  <option value="">{t('run.retryAuto')}</option>
                  {views.map(({ stage: s }) => (
                    <option key={s} value={s}>
                      {t(`stage.${s}` as MsgKey)}
                    </option>
                  ))}
                </select>
                <button type="button" class="btn" onClick={retry} disabled={busy !== null} data-testid="retry-run">
                  {t('run.retry')}
                </button>
              </>
            )}
          </div>
        )}
      </div>
      {actionError ? <div class="field-error" role="alert">{errorText(actionError)}</div> : null}
      <div class="grid-2-1">
        <Card
          title={t('run.timeline')}
          id="timeline"
          actions={
            <span class={`stream stream-${stream}`} data-testid="stream-state" role="status">
              {stream === 'live' ? `● ${t('run.stream.live')}` : stream === 'reconnecting' || stream === 'connecting' ? t('run.stream.reconnecting') : stream === 'closed' ? t('run.stream.closed') : ''}
            </span>
          }
        >
          <Timeline views={views} current={running ? current : null} />
          <dl class="kv run-kv">
            <div>
              <dt>{t('run.current')}</dt>
              <dd data-testid="current-stage">{running && current ? t(`stage.${current}` as MsgKey) : '—'}</dd>
            </div>
            <div>
              <dt>{t('runs.created')}</dt>
              <dd>{fmtTime(detail.created_at)}</dd>
            </div>
            <div>
              <dt>{t('runs.completed')}</dt>
              <dd>{fmtTime(detail.completed_at)}</dd>
            </div>
            <div>
              <dt>{t('runs.duration')}</dt>
              <dd>{fmtDuration(total)}</dd>
            </div>
            {detail.cost_usd !== undefined && (
              <div>
                <dt>{t('run.costTotal')}</dt>
                <dd>{fmtUsd(detail.cost_usd)}</dd>
              </div>
            )}
            {(detail.models ?? []).some((m) => m.kind === 'chat') && (
              <div>
                <dt>{t('run.models')}</dt>
                <dd data-testid="run-models">
                  {[...new Set((detail.models ?? []).filter((m) => m.kind === 'chat').map((m) => `${m.model} (${m.provider})${m.priced ? '' : ' ⚠'}`))].join(', ')}
                </dd>
              </div>
            )}
          </dl>
          {(detail.warnings ?? []).length > 0 && (
            <div class="warnings" role="status" data-testid="run-warnings">
              <ul>
                {(detail.warnings ?? []).map((w, i) => (
                  <li key={i}>⚠ {w}</li>
                ))}
              </ul>
            </div>
          )}
          {errs.length > 0 && (
            <div class="errors" role="alert">
              <h3>{t('run.errors')}</h3>
              <ul>
                {errs.map((e, i) => (
                  <li key={i}>{e}</li>
                ))}
              </ul>
            </div>
          )}
        </Card>
        <CostByAgent runId={id} version={costVersion} />
      </div>
      <Card title={t('run.logs')} id="logs">
        <div class="logbox" ref={logBox} role="log" aria-live="polite" aria-label={t('run.logs')} tabIndex={0} data-testid="log">
          {logs.length === 0 ? (
            <div class="muted">{running ? t('run.noLogs') : t('run.noLogsDone')}</div>
          ) : (
            logs.map((l) => (
              <div key={l.n} class={`logline ${l.level ? `log-${l.level}` : ''}`}>
                <span class="log-time">{new Date(l.at).toISOString().slice(11, 19)}</span>
                {l.stage && <span class="log-stage">{l.stage}</span>}
                <span class="log-msg">{l.message}</span>
              </div>
            ))
          )}
        </div>
      </Card>
      <ReviewPanel
        detail={detail}
        stages={stages}
        onChanged={() => void fetchDetail()}
        onDecided={() => {
          setLive({});
          void fetchDetail().then(() => setEpoch((e) => e + 1));
        }}
      />
      {hasQuality(detail) && (
        <Card title={t('quality.title')} id="quality">
          <QualityPanel runId={detail.run_id} key={`${detail.run_id}:${detail.status}`} />
        </Card>
      )}
      <Artifacts detail={detail} views={views} />
    </div>
  );
}

