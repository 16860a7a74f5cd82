// quality.tsx - a run's quality report (quality.json, written after the video and by
// `yaa check`): one line per part - loudness, still stretches, captions, pictures, metadata -
// with ok / failed / skipped and the figures behind it.
import { api } from '../api';
import { t, type MsgKey } from '../i18n';
import { useAsync } from '../hooks';
import { ErrorBox, Loading } from './ui';

type Part = Record<string, unknown> & { ok?: boolean; status?: string; why?: string };
export type QualityReport = Record<string, unknown> & { ok?: boolean; failed?: string[] };

const num = (v: unknown, digits = 1) => (typeof v === 'number' ? v.toFixed(digits) : '–');
const pct = (v: unknown) => (typeof v === 'number' ? `${Math.round(v * 100)}%` : '–');

/** The figures of one part in words (the same lines as `yaa check`). */
function detail(name: string, p: Part): string {
  switch (name) {
    case 'loudness':
      return t('quality.loudnessDetail', { lufs: num(p.integrated_lufs), tp: num(p.true_peak_dbtp) });
    case 'stills':
      return t('quality.stillsDetail', { sec: num(p.longest_sec) });
    case 'captions':
      return t('quality.captionsDetail', { cov: pct(p.coverage), ov: String(p.overlaps ?? '–'), words: pct(p.words_in_their_cue) });
    case 'pictures':
      return t('quality.picturesDetail', {
        share: pct(p.footage_share),
        over: String(p.text_overflows ?? '–'),
        contrast: p.min_contrast == null ? '–' : num(p.min_contrast),
      });
    case 'metadata':
      return t('quality.metadataDetail', { title: String(p.title_chars ?? '–'), desc: String(p.description_bytes ?? '–'), tags: String(p.tags_chars ?? '–') });
    default:
      return '';
  }
}

const PARTS = ['loudness', 'stills', 'captions', 'pictures', 'metadata'] as const;

export function QualityReportView({ report }: { report: QualityReport }) {
  return (
    <div data-testid="quality">
      <p class={report.ok ? 'ok-note' : 'state state-error'}>{report.ok ? t('quality.allPass') : t('quality.someFail', { parts: (report.failed ?? []).join(', ') })}</p>
      <ul class="checks-list">
        {PARTS.filter((name) => report[name]).map((name) => {
          const p = report[name] as Part;
          const skipped = p.status === 'skipped';
          const bad = p.ok === false;
          return (
            <li key={name} class={bad ? 'bad' : skipped ? 'hint' : 'good'} data-part={name}>
              {bad ? '✕' : skipped ? '–' : '✓'} <strong>{t(`quality.${name}` as MsgKey)}</strong>{' '}
              {skipped ? t('quality.skipped', { why: String(p.why ?? '') }) : detail(name, p)}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** Fetches quality.json of a run and shows it; says so when the run has none (yet). */
export function QualityPanel({ runId }: { runId: string }) {
  const q = useAsync((s) => api.artifactJson<QualityReport>(runId, 'quality.json', s), [runId]);
  if (q.error) return <ErrorBox error={q.error} onRetry={q.reload} />;
  if (q.data === undefined) return <Loading />;
  if (q.data === null) return <p class="hint">{t('review.noQuality')}</p>;
  return <QualityReportView report={q.data} />;
}
