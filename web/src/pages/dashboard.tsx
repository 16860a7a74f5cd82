// dashboard.tsx - run counts, average duration, this month's spend, recent runs, health.
import { api } from '../api';
import { RunTable } from '../components/runtable';
import { AsyncView, Card, Empty, Link, Loading, Stat } from '../components/ui';
import { fmtDuration, fmtInt, fmtUsd, isoDay } from '../format';
import { useAsync } from '../hooks';
import { t, type MsgKey } from '../i18n';
import { canWrite } from '../session';
import { paths } from '../paths';

function Health() {
  const h = useAsync((s) => api.health(s), [], 30000);
  const rows: [MsgKey, string | undefined][] = h.data
    ? [
        ['health.status', h.data.status],
        ['health.version', h.data.version],
        ['health.database', h.data.database],
        ['health.queue', h.data.queue],
      ]
    : [];
  return (
    <Card title={t('dash.health')} id="health">
      <AsyncView state={h}>
        {() => (
          <dl class="kv health" data-testid="health">
            {rows
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => (
                <div key={k}>
                  <dt>{t(k)}</dt>
                  <dd>
                    <span class={`health-dot ${v === 'ok' || v === 'healthy' ? 'ok' : k === 'health.version' ? 'info' : 'bad'}`} aria-hidden="true" />
                    {v}
                  </dd>
                </div>
              ))}
          </dl>
        )}
      </AsyncView>
    </Card>
  );
}

export function Dashboard() {
  const sum = useAsync((s) => api.summary(8, s), [], 10000);
  const now = new Date();
  const monthStart = isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)));
  const spend = useAsync((s) => api.usageSummary({ from: `${monthStart}T00:00:00Z`, group_by: 'day' }, s), [monthStart], 60000);
  const d = sum.data;
  return (
    <div class="page">
      <div class="page-head">
        <h1>{t('dash.title')}</h1>
        {canWrite.value && (
          <Link href={paths.newRun()} class="btn btn-primary" data-testid="new-video">
            + {t('dash.newVideo')}
          </Link>
        )}
      </div>
      <AsyncView state={sum}>
        {(d) => (
          <div class="stats" data-testid="stats">
            <Stat label={t('dash.total')} value={fmtInt(d.total_runs)} />
            <Stat label={t('dash.active')} value={fmtInt(d.active_runs)} tone="running" />
            <Stat
              label={t('dash.needsReview')}
              value={
                <Link href={paths.runs({ status: 'awaiting_review' })} data-testid="needs-review">
                  {fmtInt(d.awaiting_review ?? 0)}
                </Link>
              }
              tone={(d.awaiting_review ?? 0) > 0 ? 'review' : undefined}
            />
            <Stat label={t('dash.succeeded')} value={fmtInt(d.success_runs)} tone="completed" />
            <Stat label={t('dash.failed')} value={fmtInt(d.failed_runs)} tone="failed" />
            <Stat label={t('dash.avg')} value={fmtDuration(d.avg_duration_sec)} />
            <Stat
              label={t('dash.spend')}
              value={spend.data ? fmtUsd(spend.data.totals.cost_usd) : spend.error ? fmtUsd(d.estimated_cost_usd) : '…'}
            />
          </div>
        )}
      </AsyncView>
      <div class="grid-2-1">
        <Card
          title={t('dash.recent')}
          id="recent"
          actions={
            <Link href={paths.runs()} class="btn btn-ghost btn-sm">
              {t('dash.viewAll')}
            </Link>
          }
        >
          {!d ? (
            sum.error ? null : <Loading />
          ) : d.recent_runs.length === 0 ? (
            <Empty>{t('dash.noRuns')}</Empty>
          ) : (
            <RunTable runs={d.recent_runs} compact />
          )}
        </Card>
        <Health />
      </div>
    </div>
  );
}
