// channels.tsx - channel cards (name, category, language, brand-guide status, spend this
// month vs budget when the server gives one), create/edit/delete for admins, and one
// channel's page with its brand guide (read-only, when the server exposes it).
import { useState } from 'preact/hooks';
import { ApiError, api, fieldErrors } from '../api';
import { RunTable } from '../components/runtable';
import { YouTubeAccountCard } from '../components/youtube';
import { AsyncView, Card, ErrorBox, Field, Link, Loading, errorText } from '../components/ui';
import { fmtUsd, isoDay } from '../format';
import { useAsync } from '../hooks';
import { t } from '../i18n';
import { canWrite, isAdmin } from '../session';
import type { ChannelInfo } from '../types';
import { paths } from '../paths';

function monthStart(): string {
  const now = new Date();
  return `${isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)))}T00:00:00Z`;
}

function ChannelForm(props: { initial?: ChannelInfo; onDone: (c: ChannelInfo | null) => void }) {
  const editing = !!props.initial;
  const [id, setId] = useState(props.initial?.channel_id ?? '');
  const [name, setName] = useState(props.initial?.name ?? '');
  const [category, setCategory] = useState(props.initial?.category ?? 'general');
  const [description, setDescription] = useState(props.initial?.description ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!editing && !/^[A-Za-z0-9_-]{1,100}$/.test(id)) local.channel_id = t('ch.idHint');
    if (!name.trim()) local.name = t('new.required');
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const body = { name: name.trim(), category: category.trim() || 'general', description };
      const c = editing
        ? await api.updateChannel(props.initial!.channel_id, body)
        : await api.createChannel({ channel_id: id, ...body });
      props.onDone(c);
    } catch (err) {
      const fe = fieldErrors(err);
      if (err instanceof ApiError && err.status === 409) fe.channel_id = typeof err.detail === 'string' ? err.detail : t('err.409');
      setErrors(fe);
      if (!Object.keys(fe).length) setFormError(err);
      setBusy(false);
    }
  };
  const pfx = editing ? 'ce' : 'cn';
  return (
    <form class="form channel-form" onSubmit={submit} noValidate aria-label={editing ? t('ch.edit') : t('ch.new')}>
      <div class="form-grid">
        <Field id={`${pfx}-id`} label={t('ch.id')} hint={editing ? undefined : t('ch.idHint')} error={errors.channel_id}>
          {(a) => <input {...a} type="text" value={id} disabled={editing} maxLength={100} onInput={(e) => setId((e.target as HTMLInputElement).value)} autoFocus={!editing} />}
        </Field>
        <Field id={`${pfx}-name`} label={t('ch.name')} error={errors.name}>
          {(a) => <input {...a} type="text" value={name} maxLength={200} onInput={(e) => setName((e.target as HTMLInputElement).value)} autoFocus={editing} />}
        </Field>
        <Field id={`${pfx}-category`} label={t('ch.category')} error={errors.category}>
          {(a) => <input {...a} type="text" value={category} maxLength={50} onInput={(e) => setCategory((e.target as HTMLInputElement).value)} />}
        </Field>
      </div>
      <Field id={`${pfx}-description`} label={t('ch.description')} error={errors.description}>
        {(a) => <textarea {...a} rows={2} value={description} maxLength={500} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />}
      </Field>
      {formError ? <div class="field-error" role="alert">{errorText(formError)}</div> : null}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : editing ? t('common.save') : t('ch.create')}
        </button>
        <button type="button" class="btn btn-ghost" onClick={() => props.onDone(null)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function SpendBar({ spend, budget, perRun }: { spend: number | undefined; budget: number | null | undefined; perRun?: number | null }) {
  if (spend === undefined) return null;
  const pct = budget ? Math.min(100, (spend / budget) * 100) : null;
  return (
    <div class="spend" data-testid="spend">
      <div class="spend-line">
        <span class="muted">{t('ch.spend')}</span> <strong>{fmtUsd(spend)}</strong>
        {budget ? <span class="muted"> {t('ch.budget', { budget: fmtUsd(budget) })}</span> : null}
        {perRun ? <span class="muted"> · {t('ch.perRun', { budget: fmtUsd(perRun) })}</span> : null}
      </div>
      {pct !== null && (
        <div class="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)} aria-label={t('ch.spend')}>
          <span style={{ width: `${pct}%` }} class={pct > 90 ? 'over' : ''} />
        </div>
      )}
    </div>
  );
}

export function ChannelsPage() {
  const list = useAsync((s) => api.channels(s), []);
  const spend = useAsync((s) => api.usageSummary({ group_by: 'channel', from: monthStart() }, s), []);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const spendBy = new Map((spend.data?.groups ?? []).map((g) => [g.key ?? '', g.cost_usd]));
  const admin = isAdmin.value;

  const remove = async (c: ChannelInfo) => {
    if (!confirm(t('ch.deleteConfirm', { id: c.channel_id }))) return;
    setActionError(null);
    try {
      await api.deleteChannel(c.channel_id);
      list.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <div class="page">
      <div class="page-head">
        <h1>{t('ch.title')}</h1>
        {admin && !creating && (
          <button type="button" class="btn btn-primary" onClick={() => setCreating(true)} data-testid="new-channel">
            + {t('ch.new')}
          </button>
        )}
      </div>
      {creating && (
        <Card title={t('ch.new')} id="new-channel">
          <ChannelForm
            onDone={(c) => {
              setCreating(false);
              if (c) list.reload();
            }}
          />
        </Card>
      )}
      {actionError ? <div class="field-error" role="alert">{errorText(actionError)}</div> : null}
      <AsyncView state={list} isEmpty={(d) => d.channels.length === 0} empty={t('ch.empty')}>
        {(d) => (
          <div class="cards" data-testid="channel-cards">
            {d.channels.map((c) => (
              <article class="card channel-card" key={c.channel_id} data-channel-id={c.channel_id} aria-labelledby={`ch-${c.channel_id}`}>
                {editing === c.channel_id ? (
                  <ChannelForm
                    initial={c}
                    onDone={(x) => {
                      setEditing(null);
                      if (x) list.reload();
                    }}
                  />
                ) : (
                  <>
                    <header class="card-head">
                      <h2 id={`ch-${c.channel_id}`}>
                        <Link href={paths.channel(c.channel_id)}>{c.name}</Link>
                      </h2>
                      <span class="mono muted">{c.channel_id}</span>
                    </header>
                    <div class="chips">
                      {c.category && <span class="tag">{c.category}</span>}
                      {c.language && <span class="tag">{c.language}</span>}
                      <span class={`tag ${c.has_brand_guide ? 'tag-ok' : 'tag-warn'}`}>{c.has_brand_guide ? `✓ ${t('ch.hasGuide')}` : `! ${t('ch.noGuide')}`}</span>
                    </div>
                    {c.description && <p class="desc">{c.description}</p>}
                    <SpendBar
                      spend={typeof c.spend_month_usd === 'number' ? c.spend_month_usd : spend.data ? spendBy.get(c.channel_id) ?? 0 : undefined}
                      budget={c.budget?.monthly_usd}
                      perRun={c.budget?.per_run_usd}
                    />
                    <div class="card-foot">
                      <Link href={paths.channel(c.channel_id)} class="btn btn-ghost btn-sm">
                        {t('ch.view')}
                      </Link>
                      {canWrite.value && (
                        <Link href={paths.newRun(c.channel_id)} class="btn btn-ghost btn-sm">
                          + {t('dash.newVideo')}
                        </Link>
                      )}
                      {admin && (
                        <>
                          <button type="button" class="btn btn-ghost btn-sm" onClick={() => setEditing(c.channel_id)} aria-label={`${t('common.edit')} ${c.channel_id}`}>
                            {t('common.edit')}
                          </button>
                          <button type="button" class="btn btn-ghost btn-sm danger" onClick={() => remove(c)} aria-label={`${t('common.delete')} ${c.channel_id}`}>
                            {t('common.delete')}
                          </button>
                        </>
                      )}
                    </div>
                  </>
                )}
              </article>
            ))}
          </div>
        )}
      </AsyncView>
    </div>
  );
}

function GuideValue({ v }: { v: unknown }) {
  if (v === null || v === undefined || v === '') return <span class="muted">—</span>;
  if (Array.isArray(v)) {
    if (v.length === 0) return <span class="muted">—</span>;
    if (v.every((x) => typeof x !== 'object')) {
      return (
        <span class="tags">
          {v.map((x, i) => (
            <span key={i} class="tag">
              {/^#[0-9a-fA-F]{6}$/.test(String(x)) && <span class="swatch" style={{ background: String(x) }} aria-hidden="true" />}
              {String(x)}
            </span>
          ))}
        </span>
      );
    }
    return (
      <ul class="guide-list">
        {v.map((x, i) => (
          <li key={i}>
            <GuideValue v={x} />
          </li>
        ))}
      </ul>
    );
  }
  if (typeof v === 'object') {
    return (
      <dl class="kv stacked guide">
        {Object.entries(v as Record<string, unknown>).map(([k, x]) => (
          <div key={k}>
            <dt>{k.replace(/_/g, ' ')}</dt>
            <dd>
              <GuideValue v={x} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span>{String(v)}</span>;
}

export function ChannelDetailPage({ id }: { id: string }) {
  const ch = useAsync((s) => api.channel(id, s), [id]);
  const runs = useAsync((s) => api.runs({ channel_id: id, limit: 10 }, s), [id]);
  const spend = useAsync((s) => api.usageSummary({ channel_id: id, group_by: 'agent', from: monthStart() }, s), [id]);
  const [editing, setEditing] = useState(false);
  if (ch.error && !ch.data)
    return (
      <div class="page">
        <p class="crumbs">
          <Link href={paths.channels()}>← {t('ch.title')}</Link>
        </p>
        <ErrorBox error={ch.error} onRetry={ch.reload} />
      </div>
    );
  if (!ch.data) return <div class="page"><Loading /></div>;
  const c = ch.data;
  return (
    <div class="page">
      <p class="crumbs">
        <Link href={paths.channels()}>← {t('ch.title')}</Link>
      </p>
      <div class="page-head">
        <div>
          <h1>{c.name}</h1>
          <div class="run-sub">
            <span class="mono muted">{c.channel_id}</span>
            {c.category && <span class="tag">{c.category}</span>}
            {c.language && <span class="tag">{c.language}</span>}
          </div>
        </div>
        <div class="actions">
          {canWrite.value && (
            <Link href={paths.newRun(c.channel_id)} class="btn btn-primary">
              + {t('dash.newVideo')}
            </Link>
          )}
          {isAdmin.value && !editing && (
            <button type="button" class="btn" onClick={() => setEditing(true)}>
              {t('common.edit')}
            </button>
          )}
        </div>
      </div>
      {editing && (
        <Card title={t('ch.edit')}>
          <ChannelForm
            initial={c}
            onDone={(x) => {
              setEditing(false);
              if (x) ch.reload();
            }}
          />
        </Card>
      )}
      <div class="grid-2-1">
        <Card title={t('ch.brandGuide')} id="guide">
          {c.description && <p class="desc">{c.description}</p>}
          <p>
            <span class={`tag ${c.has_brand_guide ? 'tag-ok' : 'tag-warn'}`}>{c.has_brand_guide ? `✓ ${t('ch.hasGuide')}` : `! ${t('ch.noGuide')}`}</span>
          </p>
          {c.brand_guide ? <GuideValue v={c.brand_guide} /> : <p class="muted">{t('ch.guideNotExposed', { id: c.channel_id })}</p>}
        </Card>
        <Card title={`${t('ch.spend')} · ${t('dash.spend')}`} id="ch-spend">
          {spend.error ? (
            <ErrorBox error={spend.error} onRetry={spend.reload} />
          ) : !spend.data ? (
            <Loading />
          ) : (
            <>
              <SpendBar spend={typeof c.spend_month_usd === 'number' ? c.spend_month_usd : spend.data.totals.cost_usd} budget={c.budget?.monthly_usd} perRun={c.budget?.per_run_usd} />
              {spend.data.groups.length > 0 && (
                <table class="table">
                  <tbody>
                    {spend.data.groups.map((g) => (
                      <tr key={g.key ?? '-'}>
                        <td>{g.key ?? '—'}</td>
                        <td class="num">{fmtUsd(g.cost_usd)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          )}
        </Card>
      </div>
      <YouTubeAccountCard channelId={c.channel_id} />
      <Card
        title={t('dash.recent')}
        actions={
          <Link href={paths.runs({ channel_id: c.channel_id })} class="btn btn-ghost btn-sm">
            {t('dash.viewAll')}
          </Link>
        }
      >
        <AsyncView state={runs} isEmpty={(d) => d.runs.length === 0} empty={t('dash.noRuns')}>
          {(d) => (
            <RunTable runs={d.runs} compact />
          )}
        </AsyncView>
      </Card>
    </div>
  );
}

