// runtable.tsx - a dense table of RunSummary rows (dashboard and runs list).
import type { RunSummary } from '../types';
import { t } from '../i18n';
import { fmtDuration, fmtRelative, fmtTime, secondsBetween, shortId } from '../format';
import { Link, StatusPill } from './ui';
import { paths } from '../paths';

export function RunTable({ runs, compact }: { runs: RunSummary[]; compact?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="table runs-table">
        <thead>
          <tr>
            <th scope="col">{t('runs.status')}</th>
            <th scope="col">{t('runs.topic')}</th>
            <th scope="col">{t('runs.channel')}</th>
            <th scope="col">{t('runs.created')}</th>
            {!compact && <th scope="col">{t('runs.duration')}</th>}
            {!compact && <th scope="col">ID</th>}
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.run_id} data-run-id={r.run_id}>
              <td>
                <StatusPill status={r.status} />
              </td>
              <td class="topic">
                <Link href={paths.run(r.run_id)}>{r.topic || shortId(r.run_id)}</Link>
                {r.dry_run && <span class="tag">{t('runs.dry')}</span>}
                {r.batch_id && (
                  <Link href={paths.runs({ batch_id: r.batch_id })} class="tag tag-link" title={r.batch_id}>
                    {t('runs.batch')} {r.batch_id.slice(0, 6)}
                  </Link>
                )}
                {r.publish_at && <span class="tag" title={r.publish_at}>⏰ {fmtTime(r.publish_at)}</span>}
              </td>
              <td>
                <Link href={paths.channel(r.channel_id)} class="muted-link">
                  {r.channel_id}
                </Link>
              </td>
              <td title={fmtTime(r.created_at)}>{fmtRelative(r.created_at)}</td>
              {!compact && <td class="num">{fmtDuration(secondsBetween(r.created_at, r.completed_at))}</td>}
              {!compact && (
                <td class="mono muted" title={r.run_id}>
                  {shortId(r.run_id)}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
