// review.tsx - the review screen of a run waiting at a gate (docs/WORKFLOW.md): at the video
// gate the video, the upload's metadata with YouTube's limits counted live, the thumbnail
// choice and the quality report; at the script gate an editor of the script's sections; at
// both, approve or reject with notes. The decision history is shown on every run that has one.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, fieldErrors } from '../api';
import { fmtTime } from '../format';
import { useArtifactSrc, useAsync } from '../hooks';
import { t, type MsgKey } from '../i18n';
import { canWrite } from '../session';
import type { Credit, RunDetail, Script, VideoMetadata } from '../types';
import { Card, Empty, ErrorBox, Loading, errorText } from './ui';
import { QualityPanel } from './quality';

/** YouTube's limits, as the server checks them (youtube/publish.c). */
export const LIMITS = { title: 100, description: 5000, tags: 500 };

/** Characters as YouTube counts them (code points). */
export function chars(s: string): number {
  return [...s].length;
}

/** Bytes of UTF-8 (the description's limit is in bytes). */
export function bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** The tags' total as YouTube counts it: a tag with a space is quoted, commas between. */
export function tagsTotal(tags: string[]): number {
  return tags.reduce((n, tag, i) => n + chars(tag) + (tag.includes(' ') ? 2 : 0) + (i ? 1 : 0), 0);
}

/** True when text carries url as a whole (not as the start of a longer URL), as the server
 * decides that a credit is already there. */
function hasUrl(text: string, url: string): boolean {
  for (let i = text.indexOf(url); i >= 0; i = text.indexOf(url, i + 1)) {
    const next = text.charAt(i + url.length);
    if (next === '' || ' \t\r\n)'.includes(next)) return true;
  }
  return false;
}

/** The description as it will be uploaded (less the measured chapters): the edited text with
 * the credit lines it lacks added back under the heading, as the server composes it
 * (agents/credits.c) - what the counter counts. */
export function composedDescription(text: string, credits: Credit[] = [], heading = ''): string {
  const missing = credits.filter((c) => c.url && c.line && !hasUrl(text, c.url)).map((c) => c.line as string);
  if (!missing.length) return text;
  const body = text.replace(/\n+$/, '');
  const head = heading && text.includes(heading) ? '' : `${heading}\n`;
  const sep = !body ? '' : head ? '\n\n' : '\n';
  return `${body}${sep}${head}${missing.join('\n')}`;
}

export function splitTags(text: string): string[] {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

function Counter({ used, max, unit }: { used: number; max: number; unit: string }) {
  const over = used > max;
  return (
    <span class={`counter ${over ? 'counter-over' : ''}`} data-testid="counter" aria-live="polite">
      {used} / {max} {unit}
    </span>
  );
}

function Gate({ detail }: { detail: RunDetail }) {
  const stage = detail.review?.stage;
  return (
    <p class="gate-note" data-testid="gate">
      {t(stage === 'script' ? 'review.atScript' : 'review.atVideo')}
    </p>
  );
}

function VideoPreview({ runId }: { runId: string }) {
  const { src, error } = useArtifactSrc(runId, 'video.mp4');
  if (error) return <Empty>{t('art.missing')}</Empty>;
  if (!src) return <Loading />;
  return (
    <div class="video-wrap">
      <video src={src} controls preload="metadata" playsInline data-testid="review-video" />
    </div>
  );
}

/** The stock items the description credits, read-only: the server keeps them in the upload. */
function Credits({ credits }: { credits: Credit[] }) {
  return (
    <div class="field" data-testid="credits">
      <div class="label">{t('review.credits')}</div>
      <ul class="credits">
        {credits.map((c) => (
          <li key={c.url}>
            {c.author || '?'} · {c.source} ·{' '}
            <a href={c.url} target="_blank" rel="noopener noreferrer">
              {c.url}
            </a>
          </li>
        ))}
      </ul>
      <div class="hint">{t('review.creditsHint')}</div>
    </div>
  );
}

function MetadataEditor({ detail, onSaved }: { detail: RunDetail; onSaved: () => void }) {
  const m = useAsync((s) => api.metadata(detail.run_id, s), [detail.run_id]);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const [privacy, setPrivacy] = useState('private');
  const [publishAt, setPublishAt] = useState('');
  const [thumbnail, setThumbnail] = useState('thumbnail.png');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const d = m.data;
    if (!d) return;
    setTitle(d.title ?? '');
    setDescription(d.description ?? '');
    setTags((d.tags ?? []).join(', '));
    setPrivacy(d.privacy ?? 'private');
    setPublishAt(d.publish_at ?? detail.publish_at ?? '');
    setThumbnail(d.thumbnail ?? 'thumbnail.png');
  }, [m.data]);
  if (m.error) return <ErrorBox error={m.error} onRetry={m.reload} />;
  if (m.data === undefined) return <Loading />;
  const tagList = splitTags(tags);
  const credits = m.data?.credits ?? [];
  const images = ((detail.result as { images?: string[] } | null)?.images ?? []).filter((x) => x.endsWith('.png'));
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setSaved(false);
    setErrors({});
    try {
      const patch: Partial<VideoMetadata> = { title, description, tags: tagList, privacy, thumbnail };
      if (publishAt.trim()) patch.publish_at = publishAt.trim();
      await api.patchMetadata(detail.run_id, patch);
      setSaved(true);
      onSaved();
    } catch (err) {
      const fe = fieldErrors(err);
      if (!Object.keys(fe).length) fe._ = errorText(err);
      setErrors(fe);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={save} data-testid="metadata-form" noValidate>
      <div class="field">
        <label for="md-title">
          {t('seo.title')} <Counter used={chars(title)} max={LIMITS.title} unit={t('review.chars')} />
        </label>
        <input id="md-title" type="text" value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} aria-invalid={!!errors.title} />
        {errors.title && <div class="field-error" role="alert">{errors.title}</div>}
      </div>
      <div class="field">
        <label for="md-desc">
          {t('seo.description')} <Counter used={bytes(composedDescription(description, credits, m.data?.credits_heading))} max={LIMITS.description} unit={t('review.bytes')} />
        </label>
        <textarea id="md-desc" rows={8} value={description} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} aria-invalid={!!errors.description} />
        {errors.description && <div class="field-error" role="alert">{errors.description}</div>}
      </div>
      {credits.length > 0 && <Credits credits={credits} />}
      <div class="field">
        <label for="md-tags">
          {t('seo.tags')} <Counter used={tagsTotal(tagList)} max={LIMITS.tags} unit={t('review.chars')} />
        </label>
        <input id="md-tags" type="text" value={tags} onInput={(e) => setTags((e.target as HTMLInputElement).value)} aria-describedby="md-tags-hint" />
        <div class="hint" id="md-tags-hint">{t('review.tagsHint')}</div>
        {errors.tags && <div class="field-error" role="alert">{errors.tags}</div>}
      </div>
      <div class="grid-2">
        <div class="field">
          <label for="md-privacy">{t('review.privacy')}</label>
          <select id="md-privacy" value={privacy} onChange={(e) => setPrivacy((e.target as HTMLSelectElement).value)} disabled={!!publishAt.trim()}>
            <option value="private">private</option>
            <option value="unlisted">unlisted</option>
            <option value="public">public</option>
          </select>
        </div>
        <div class="field">
          <label for="md-at">{t('review.publishAt')}</label>
          <input id="md-at" type="text" placeholder="2026-12-24T18:00:00Z" value={publishAt} onInput={(e) => setPublishAt((e.target as HTMLInputElement).value)} aria-invalid={!!errors.publish_at} />
          <div class="hint">{t('review.publishAtHint')}</div>
          {errors.publish_at && <div class="field-error" role="alert">{errors.publish_at}</div>}
        </div>
      </div>
      <div class="field">
        <label for="md-thumb">{t('review.thumbnail')}</label>
        <select id="md-thumb" value={thumbnail} onChange={(e) => setThumbnail((e.target as HTMLSelectElement).value)}>
          <option value="thumbnail.png">thumbnail.png</option>
          {images.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
        {errors.thumbnail && <div class="field-error" role="alert">{errors.thumbnail}</div>}
      </div>
      {errors._ && <div class="field-error" role="alert">{errors._}</div>}
      <div class="form-actions">
        <button type="submit" class="btn" disabled={busy || !canWrite.value} data-testid="save-metadata">
          {t('review.saveMetadata')}
        </button>
        {saved && <span class="ok-note">{t('review.saved')}</span>}
      </div>
    </form>
  );
}

function ScriptEditor({ detail, onSaved }: { detail: RunDetail; onSaved: () => void }) {
  const s = useAsync((sig) => api.script(detail.run_id, sig), [detail.run_id]);
  const [script, setScript] = useState<Script | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (s.data) setScript(JSON.parse(JSON.stringify(s.data)) as Script);
  }, [s.data]);
  if (s.error) return <ErrorBox error={s.error} onRetry={s.reload} />;
  if (!script) return <Loading />;
  const setSection = (i: number, field: 'heading' | 'narration', v: string) => {
    const next = { ...script, sections: script.sections.map((x, k) => (k === i ? { ...x, [field]: v } : x)) };
    setScript(next);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setSaved(false);
    setError(null);
    try {
      const r = await api.putScript(detail.run_id, script);
      setScript(r);
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={save} data-testid="script-form">
      <div class="field">
        <label for="sc-title">{t('review.scriptTitle')}</label>
        <input id="sc-title" type="text" value={script.title} onInput={(e) => setScript({ ...script, title: (e.target as HTMLInputElement).value })} />
      </div>
      {script.sections.map((sec, i) => (
        <fieldset key={i} class="section-edit">
          <legend>
            {i + 1}. <input aria-label={t('review.heading')} type="text" value={sec.heading} onInput={(e) => setSection(i, 'heading', (e.target as HTMLInputElement).value)} />
          </legend>
          <textarea aria-label={t('review.narration')} rows={4} value={sec.narration} onInput={(e) => setSection(i, 'narration', (e.target as HTMLTextAreaElement).value)} />
          <div class="hint">{sec.duration_seconds ? `≈ ${Math.round(sec.duration_seconds)} s` : ''}</div>
        </fieldset>
      ))}
      {error ? <div class="field-error" role="alert">{errorText(error)}</div> : null}
      <div class="form-actions">
        <button type="submit" class="btn" disabled={busy || !canWrite.value} data-testid="save-script">
          {t('review.saveScript')}
        </button>
        {saved && <span class="ok-note">{t('review.saved')}</span>}
      </div>
    </form>
  );
}

function Decide({ detail, stages, onDecided }: { detail: RunDetail; stages: readonly string[]; onDecided: () => void }) {
  const [notes, setNotes] = useState('');
  const [from, setFrom] = useState('script_writer');
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const gateIndex = stages.indexOf(detail.review?.stage === 'script' ? 'seo_optimizer' : 'publisher');
  const choices = gateIndex > 0 ? stages.slice(0, gateIndex) : ['script_writer'];
  const act = async (what: 'approve' | 'reject') => {
    if (what === 'reject' && !notes.trim()) {
      setError(new ApiError(422, [{ loc: ['body', 'notes'], msg: t('review.notesRequired'), type: 'missing' }], t('review.notesRequired')));
      document.getElementById('rv-notes')?.focus();
      return;
    }
    setBusy(what);
    setError(null);
    try {
      if (what === 'approve') await api.approve(detail.run_id);
      else await api.reject(detail.run_id, notes.trim(), from);
      setNotes('');
      onDecided();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="decide" data-testid="decide">
      <div class="field">
        <label for="rv-notes">{t('review.notes')}</label>
        <textarea id="rv-notes" rows={3} value={notes} placeholder={t('review.notesHint')} onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)} />
      </div>
      <div class="field inline">
        <label for="rv-from">{t('review.fromStage')}</label>
        <select id="rv-from" value={from} onChange={(e) => setFrom((e.target as HTMLSelectElement).value)}>
          {choices.map((s) => (
            <option key={s} value={s}>
              {t(`stage.${s}` as MsgKey) ?? s}
            </option>
          ))}
        </select>
      </div>
      {error ? <div class="field-error" role="alert">{errorText(error)}</div> : null}
      <div class="form-actions">
        <button type="button" class="btn btn-primary" disabled={!!busy || !canWrite.value} onClick={() => void act('approve')} data-testid="approve">
          {busy === 'approve' ? '…' : t('review.approve')}
        </button>
        <button type="button" class="btn btn-danger" disabled={!!busy || !canWrite.value} onClick={() => void act('reject')} data-testid="reject">
          {busy === 'reject' ? '…' : t('review.reject')}
        </button>
      </div>
    </div>
  );
}

export function History({ detail }: { detail: RunDetail }) {
  const h = detail.review?.history ?? [];
  if (!h.length) return null;
  return (
    <ol class="history" data-testid="review-history">
      {h.map((e, i) => (
        <li key={i}>
          <span class="muted">{fmtTime(e.at)}</span> <strong>{t(`review.action.${e.action}` as MsgKey) ?? e.action}</strong>
          {e.stage ? <span class="tag">{e.stage}</span> : null}
          {e.from_stage ? <span class="muted"> ← {e.from_stage}</span> : null}
          {e.fields ? <span class="muted"> ({e.fields.join(', ')})</span> : null}
          {e.key_id ? <span class="mono muted"> · {e.key_id.slice(0, 12)}</span> : null}
          {e.notes ? <blockquote>{e.notes}</blockquote> : null}
        </li>
      ))}
    </ol>
  );
}

/** The review card of a run page: the editor of its gate and the decision, or only the
 * history once the run has moved on. */
export function ReviewPanel({ detail, stages, onChanged, onDecided }: { detail: RunDetail; stages: readonly string[]; onChanged: () => void; onDecided: () => void }) {
  const waiting = detail.status === 'awaiting_review';
  if (!waiting && !(detail.review?.history ?? []).length) return null;
  const gate = detail.review?.stage;
  return (
    <Card title={waiting ? t('review.title') : t('review.history')} id="review">
      <div data-testid="review-panel">
        {waiting && <Gate detail={detail} />}
        {waiting && gate === 'video' && (
          <div class="review-grid">
            <div>
              <VideoPreview runId={detail.run_id} />
              <h3>{t('review.quality')}</h3>
              <QualityPanel runId={detail.run_id} />
            </div>
            <div>
              <MetadataEditor detail={detail} onSaved={onChanged} />
            </div>
          </div>
        )}
        {waiting && gate === 'script' && <ScriptEditor detail={detail} onSaved={onChanged} />}
        {waiting && <Decide detail={detail} stages={stages} onDecided={onDecided} />}
        <History detail={detail} />
      </div>
    </Card>
  );
}
