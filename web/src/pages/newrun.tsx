// newrun.tsx - start a run: channel, topic, brand name, dry run, short; the API's 422
// messages are shown beside the field they name.
import { useState } from 'preact/hooks';
import { ApiError, api, fieldErrors } from '../api';
import { Card, ErrorBox, Field, Link, Loading, errorText } from '../components/ui';
import { useAsync } from '../hooks';
import { t } from '../i18n';
import { navigate, queryParams } from '../router';
import { canWrite } from '../session';

export function NewRun() {
  const channels = useAsync((s) => api.channels(s), []);
  const [channel, setChannel] = useState(queryParams().get('channel_id') ?? '');
  const [topic, setTopic] = useState('');
  const [brand, setBrand] = useState('');
  const [dry, setDry] = useState(true);
  const [short, setShort] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<unknown>(null);

  if (!canWrite.value) return <div class="page"><ErrorBox error={new ApiError(403, null, '')} /></div>;

  const submit = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!channel) local.channel_id = t('new.required');
    if (!topic.trim()) local.topic = t('new.required');
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length) {
      document.getElementById(local.channel_id ? 'nr-channel' : 'nr-topic')?.focus();
      return;
    }
    setBusy(true);
    try {
      const body: Record<string, unknown> = { channel_id: channel, topic: topic.trim(), brand_name: brand.trim(), dry_run: dry };
      if (short) body.short = true;
      const r = await api.startRun(body);
      navigate(`/runs/${r.run_id}`);
    } catch (err) {
      const fe = fieldErrors(err);
      if (err instanceof ApiError && (err.status === 404 || err.status === 402)) fe.channel_id = errorText(err);
      setErrors(fe);
      const known = ['channel_id', 'topic', 'brand_name', 'dry_run', 'short'];
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
            {t('new.noChannels')} <Link href="/channels">{t('nav.channels')}</Link>
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
            <Field id="nr-topic" label={t('new.topic')} hint={t('new.topicHint')} error={errors.topic}>
              {(a) => <input {...a} type="text" value={topic} maxLength={500} required onInput={(e) => setTopic((e.target as HTMLInputElement).value)} />}
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
                {busy ? t('new.submitting') : t('new.submit')}
              </button>
              <Link href="/runs" class="btn btn-ghost">
                {t('common.cancel')}
              </Link>
            </div>
          </form>
        )}
      </Card>
    </div>
  );
}
