// runs.tsx - all runs, filtered by channel and status, paginated; filters live in the URL.
import { api } from '../api';
import { RunTable } from '../components/runtable';
import { AsyncView, Card, Link, Pager } from '../components/ui';
import { useAsync } from '../hooks';
import { t, type MsgKey } from '../i18n';
import { queryParams, route, setQuery } from '../router';
import { canWrite } from '../session';
import { paths } from '../paths';

const STATUSES = ['pending', 'running', 'awaiting_review', 'completed', 'failed', 'cancelled'];
const LIMIT = 20;

export function RunsPage() {
  void route.value; // re-render on query changes
  const q = queryParams();
  const channel = q.get('channel_id') ?? '';
  const status = q.get('status') ?? '';
  const batch = q.get('batch_id') ?? '';
  const offset = Math.max(0, Number(q.get('offset') ?? 0) || 0);
  const channels = useAsync((s) => api.channels(s), []);
  const runs = useAsync(
    (s) => api.runs({ channel_id: channel, status, batch_id: batch, limit: LIMIT, offset }, s),
    [channel, status, batch, offset],
    10000,
  );
  const set = (patch: Record<string, string | number>) =>
    setQuery({ channel_id: channel, status, batch_id: batch, offset: 0, ...patch });

  return (
    <div class="page">
      <div class="page-head">
        <h1>{t('runs.title')}</h1>
        {canWrite.value && (
          <Link href={paths.newRun()} class="btn btn-primary">
            + {t('runs.new')}
          </Link>
        )}
      </div>
      <Card>
        <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('common.filters')}>
          <div class="field inline">
            <label for="f-channel">{t('runs.channel')}</label>
            <select id="f-channel" value={channel} onChange={(e) => set({ channel_id: (e.target as HTMLSelectElement).value })}>
              <option value="">{t('common.all')}</option>
              {(channels.data?.channels ?? []).map((c) => (
                <option key={c.channel_id} value={c.channel_id}>
                  {c.name} ({c.channel_id})
                </option>
              ))}
              {channel && !(channels.data?.channels ?? []).some((c) => c.channel_id === channel) && <option value={channel}>{channel}</option>}
            </select>
          </div>
          <div class="field inline">
            <label for="f-status">{t('runs.status')}</label>
            <select id="f-status" value={status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
              <option value="">{t('common.all')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}` as MsgKey)}
                </option>
              ))}
            </select>
          </div>
          {batch && (
            <span class="tag" data-testid="batch-filter">
              {t('runs.batchFilter', { id: batch.slice(0, 8) })}
            </span>
          )}
          {(channel || status || batch) && (
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => setQuery({})}>
              {t('common.reset')}
            </button>
          )}
        </form>
        <AsyncView state={runs} isEmpty={(d) => d.runs.length === 0} empty={t('runs.empty')}>
          {(d) => (
            <>
              <RunTable runs={d.runs} />
              <Pager total={d.total} limit={LIMIT} offset={offset} onPage={(o) => set({ offset: o })} />
            </>
          )}
        </AsyncView>
      </Card>
    </div>
  );
}
