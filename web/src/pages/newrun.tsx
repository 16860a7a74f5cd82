// newrun.tsx - start a run: channel, topic, brand name, dry run, short, review gates and a
// scheduled publication; or a batch from a pasted list of topics (one a line, "topic |
// publish_at"). The API's 422 messages are shown beside the field they name.
import { useState } from 'preact/hooks';
import { ApiError, api, fieldErrors } from '../api';
import { Card, ErrorBox, Field, Link, Loading, errorText } from '../components/ui';
import { useAsync } from '../hooks';
import { t } from '../i18n';
import { navigate, queryParams } from '../router';
import { canWrite } from '../session';
import { paths } from '../paths';

/** A pasted list: one topic a line, optionally "topic | publish_at". */
export function parseTopics(text: string): { topic: string; publish_at?: string }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const bar = line.lastIndexOf('|');
      if (bar < 0) return { topic: line };
      const at = line.slice(bar + 1).trim();
      return at ? { topic: line.slice(0, bar).trim(), publish_at: at } : { topic: line.slice(0, bar).trim() };
    });
}

export function NewRun() {
  const channels = useAsync((s) => api.channels(s), []);
  const [channel, setChannel] = useState(queryParams().get('channel_id') ?? '');
  const [topic, setTopic] = useState('');
  const [brand, setBrand] = useState('');
  const [dry, setDry] = useState(true);
  const [short, setShort] = useState(false);
  const [review, setReview] = useState('');
  const [publishAt, setPublishAt] = useState('');
  const [batch, setBatch] = useState(false);
  const [topics, setTopics] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<unknown>(null);

  if (!canWrite.value) return <div class="page"><ErrorBox error={new ApiError(403, null, '')} /></div>;

  const submit = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!channel) local.channel_id = t('new.required');
    const items = parseTopics(topics);
    if (!batch && !topic.trim()) local.topic = t('new.required');
    if (batch && items.length === 0) local.topics = t('new.required');
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length) {
      document.getElementById(local.channel_id ? 'nr-channel' : 'nr-topic')?.focus();
      return;
    }
    setBusy(true);
    try {
      const body: Record<string, unknown> = { channel_id: channel, brand_name: brand.trim(), dry_run: dry };
      if (short) body.short = true;
      if (review) body.review = review;
      if (publishAt.trim()) body.publish_at = publishAt.trim();
      if (batch) {
        const r = await api.startBatch({ ...body, topics: items });
        navigate(paths.runs({ batch_id: r.batch_id }));
      } else {
        const r = await api.startRun({ ...body, topic: topic.trim() });
        navigate(paths.run(r.run_id));
      }
    } catch (err) {
      const fe = fieldErrors(err);
      if (err instanceof ApiError && (err.status === 404 || err.status === 402)) fe.channel_id = errorText(err);
      setErrors(fe);
      const known = ['channel_id', 'topic', 'brand_name', 'dry_run', 'short', 'review', 'publish_at'];
      // A batch item's error names its line: topics.N.field -> "line N+1: message".
      if (err instanceof ApiError && batch) {
        const lines = err.fields
          .filter((f) => Array.isArray(f.loc) && f.loc[1] === 'topics' && typeof f.loc[2] === 'number')
          .map((f) => `${t('new.topics')} ${Number(f.loc[2]) + 1}: ${f.msg}`);
        if (lines.length) fe.topics = lines.join('; ');
      }
      if (!Object.keys(fe).some((k) => known.includes(k)) || fe._ || fe.body) setFormError(err);
      setBusy(false);
    }
  };

  const list = channels.data?.channels ?? [];
  return (
    <div class="page narrow">
      <div class="page-head">
        <h1>{t('new.title')}</h1>
      </div>
      <Card>
        {channels.loading && !channels.data ? (
          <Loading />
        ) : channels.error ? (
          <ErrorBox error={channels.error} onRetry={channels.reload} />
        ) : list.length === 0 ? (
          <p class="state state-empty">
            {t('new.noChannels')} <Link href={paths.channels()}>{t('nav.channels')}</Link>
          </p>
        ) : (
          <form onSubmit={submit} noValidate class="form">
            <Field id="nr-channel" label={t('new.channel')} error={errors.channel_id}>
              {(a) => (
                <select {...a} value={channel} onChange={(e) => setChannel((e.target as HTMLSelectElement).value)} required>
                  <option value="">{t('new.channelPick')}</option>
                  {list.map((c) => (
                    <option key={c.channel_id} value={c.channel_id}>
                      {c.name} ({c.channel_id})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <label class="check">
              <input type="checkbox" checked={batch} onChange={(e) => setBatch((e.target as HTMLInputElement).checked)} data-testid="batch-toggle" />
              {t('new.batch')}
            </label>
            {batch ? (
              <Field id="nr-topics" label={t('new.topics')} hint={t('new.topicsHint')} error={errors.topics}>
                {(a) => <textarea {...a} rows={6} value={topics} onInput={(e) => setTopics((e.target as HTMLTextAreaElement).value)} />}
              </Field>
            ) : (
              <Field id="nr-topic" label={t('new.topic')} hint={t('new.topicHint')} error={errors.topic}>
                {(a) => <input {...a} type="text" value={topic} maxLength={500} required onInput={(e) => setTopic((e.target as HTMLInputElement).value)} />}
              </Field>
            )}
            <Field id="nr-review" label={t('new.review')} error={errors.review}>
              {(a) => (
                <select {...a} value={review} onChange={(e) => setReview((e.target as HTMLSelectElement).value)}>
                  <option value="">{t('new.reviewDefault')}</option>
                  <option value="none">{t('new.reviewNone')}</option>
                  <option value="script">{t('new.reviewScript')}</option>
                  <option value="video">{t('new.reviewVideo')}</option>
                  <option value="both">{t('new.reviewBoth')}</option>
                </select>
              )}
            </Field>
            <Field id="nr-at" label={t('new.publishAt')} hint={t('review.publishAtHint')} error={errors.publish_at}>
              {(a) => <input {...a} type="text" placeholder="2026-12-24T18:00:00+09:00" value={publishAt} onInput={(e) => setPublishAt((e.target as HTMLInputElement).value)} />}
            </Field>
            <Field id="nr-brand" label={t('new.brand')} hint={t('new.brandHint')} error={errors.brand_name}>
              {(a) => <input {...a} type="text" value={brand} maxLength={200} onInput={(e) => setBrand((e.target as HTMLInputElement).value)} />}
            </Field>
            <div class="checks">
              <label class="check">
                <input type="checkbox" checked={dry} onChange={(e) => setDry((e.target as HTMLInputElement).checked)} />
                {t('new.dry')}
              </label>
              {errors.dry_run && <div class="field-error" role="alert">{errors.dry_run}</div>}
              <label class="check">
                <input type="checkbox" checked={short} onChange={(e) => setShort((e.target as HTMLInputElement).checked)} />
                {t('new.short')}
              </label>
              {errors.short && <div class="field-error" role="alert">{errors.short}</div>}
            </div>
            {formError ? <div class="field-error" role="alert">{errorText(formError)}</div> : null}
            <div class="form-actions">
              <button type="submit" class="btn btn-primary" disabled={busy}>
                {busy ? t('new.submitting') : batch ? t('new.submitBatch', { n: parseTopics(topics).length }) : t('new.submit')}
              </button>
              <Link href={paths.runs()} class="btn btn-ghost">
                {t('common.cancel')}
              </Link>
            </div>
          </form>
        )}
      </Card>
    </div>
  );
}
