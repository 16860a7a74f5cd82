// settings.tsx - admin only: API keys (create - the key is shown once, with a copy button -
// list, revoke) and the audit log with filters.
import { useState } from 'preact/hooks';
import { ApiError, api, fieldErrors } from '../api';
import { AsyncView, Card, CopyButton, ErrorBox, Field, Pager, errorText } from '../components/ui';
import { fmtRelative, fmtTime } from '../format';
import { useAsync } from '../hooks';
import { t } from '../i18n';
import { isAdmin } from '../session';
import type { NewApiKey } from '../types';

const ALL_SCOPES = ['read', 'write', 'admin'];

function NewKeyForm({ onCreated }: { onCreated: (k: NewApiKey) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read', 'write']);
  const [expires, setExpires] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = t('new.required');
    if (expires && !(Number(expires) >= 1 && Number(expires) <= 365)) local.expires_days = t('set.expiresHint');
    if (!scopes.length) local.scopes = t('new.required');
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const body: Record<string, unknown> = { name: name.trim(), scopes };
      if (expires) body.expires_days = Number(expires);
      const k = await api.createKey(body);
      setName('');
      setExpires('');
      onCreated(k);
    } catch (err) {
      const fe = fieldErrors(err);
      setErrors(fe);
      if (!Object.keys(fe).length) setFormError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit} noValidate aria-label={t('set.newKey')}>
      <div class="form-grid">
        <Field id="k-name" label={t('set.keyName')} error={errors.name}>
          {(a) => <input {...a} type="text" value={name} maxLength={200} onInput={(e) => setName((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field id="k-expires" label={t('set.expires')} hint={t('set.expiresHint')} error={errors.expires_days}>
          {(a) => <input {...a} type="number" min={1} max={365} inputMode="numeric" value={expires} onInput={(e) => setExpires((e.target as HTMLInputElement).value)} />}
        </Field>
      </div>
      <fieldset class="checks inline">
        <legend>{t('set.scopes')}</legend>
        {ALL_SCOPES.map((s) => (
          <label key={s} class="check">
            <input
              type="checkbox"
              name="scope"
              value={s}
              checked={scopes.includes(s)}
              onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                setScopes((prev) => (on ? [...prev, s] : prev.filter((x) => x !== s)));
              }}
            />
            {s}
          </label>
        ))}
        {errors.scopes && <div class="field-error" role="alert">{errors.scopes}</div>}
      </fieldset>
      {formError ? <div class="field-error" role="alert">{errorText(formError)}</div> : null}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : t('set.newKey')}
        </button>
      </div>
    </form>
  );
}

function Keys() {
  const keys = useAsync((s) => api.keys(s), []);
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const revoke = async (id: string, name: string) => {
    if (!confirm(t('set.revokeConfirm', { name }))) return;
    setActionError(null);
    try {
      await api.revokeKey(id);
      if (created?.key_id === id) setCreated(null);
      keys.reload();
    } catch (e) {
      setActionError(e);
    }
  };
  return (
    <Card title={t('set.keys')} id="keys">
      <NewKeyForm
        onCreated={(k) => {
          setCreated(k);
          keys.reload();
        }}
      />
      {created && (
        <div class="once" role="status" data-testid="new-key">
          <p>
            <strong>{t('set.shownOnce')}</strong>
          </p>
          <div class="once-key">
            <code data-copy-source data-testid="new-key-value">
              {created.api_key}
            </code>
            <CopyButton text={created.api_key} />
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => setCreated(null)}>
              {t('common.close')}
            </button>
          </div>
        </div>
      )}
      {actionError ? <div class="field-error" role="alert">{errorText(actionError)}</div> : null}
      <AsyncView state={keys} isEmpty={(d) => d.keys.length === 0} empty={t('set.noKeys')}>
        {(d) => (
          <div class="table-wrap">
            <table class="table" data-testid="keys-table">
              <thead>
                <tr>
                  <th scope="col">{t('set.keyName')}</th>
                  <th scope="col">{t('set.scopes')}</th>
                  <th scope="col">{t('set.created')}</th>
                  <th scope="col">{t('set.lastUsed')}</th>
                  <th scope="col">{t('set.expiresAt')}</th>
                  <th scope="col">{t('set.active')}</th>
                  <th scope="col">
                    <span class="sr-only">{t('set.revoke')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.keys.map((k) => (
                  <tr key={k.key_id} data-key-id={k.key_id} class={k.is_active ? '' : 'inactive'}>
                    <td>
                      {k.name}
                      <div class="mono muted small">{k.key_id}</div>
                    </td>
                    <td>
                      {k.scopes.map((s) => (
                        <span key={s} class={`scope scope-${s}`}>
                          {s}
                        </span>
                      ))}
                    </td>
                    <td title={fmtTime(k.created_at)}>{fmtRelative(k.created_at)}</td>
                    <td title={fmtTime(k.last_used_at)}>{fmtRelative(k.last_used_at)}</td>
                    <td>{k.expires_at ? fmtTime(k.expires_at) : '—'}</td>
                    <td>{k.is_active ? <span class="pill pill-done">{t('common.yes')}</span> : <span class="pill pill-cancelled">{t('set.revoked')}</span>}</td>
                    <td class="right">
                      {k.is_active && (
                        <button type="button" class="btn btn-ghost btn-sm danger" onClick={() => revoke(k.key_id, k.name)} aria-label={`${t('set.revoke')} ${k.name}`}>
                          {t('set.revoke')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </AsyncView>
    </Card>
  );
}

const LIMIT = 50;

function Audit() {
  const [filters, setFilters] = useState({ method: '', path: '', status_code: '', api_key_id: '', since: '', until: '' });
  const [applied, setApplied] = useState(filters);
  const [offset, setOffset] = useState(0);
  const [nonce, setNonce] = useState(0); // Apply always reloads, even with the same filters
  const logs = useAsync(
    (s) =>
      api.auditLogs(
        {
          ...applied,
          since: applied.since ? new Date(applied.since).toISOString() : '',
          until: applied.until ? new Date(applied.until).toISOString() : '',
          limit: LIMIT,
          offset,
        },
        s,
      ),
    [JSON.stringify(applied), offset, nonce],
  );
  const set = (k: keyof typeof filters) => (e: Event) => setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
  return (
    <Card title={t('set.audit')} id="audit">
      <form
        class="filters wrap"
        onSubmit={(e) => {
          e.preventDefault();
          setOffset(0);
          setApplied(filters);
          setNonce((n) => n + 1);
        }}
      >
        <div class="field inline">
          <label for="a-method">{t('set.method')}</label>
          <select id="a-method" value={filters.method} onChange={set('method')}>
            <option value="">{t('common.all')}</option>
            {['GET', 'POST', 'PATCH', 'DELETE'].map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <div class="field inline">
          <label for="a-path">{t('set.path')}</label>
          <input id="a-path" type="text" value={filters.path} onInput={set('path')} placeholder="/api/v1/…" />
        </div>
        <div class="field inline">
          <label for="a-status">{t('set.statusCode')}</label>
          <input id="a-status" type="number" min={100} max={599} value={filters.status_code} onInput={set('status_code')} class="w-num" />
        </div>
        <div class="field inline">
          <label for="a-key">{t('set.keyId')}</label>
          <input id="a-key" type="text" value={filters.api_key_id} onInput={set('api_key_id')} />
        </div>
        <div class="field inline">
          <label for="a-since">{t('set.since')}</label>
          <input id="a-since" type="datetime-local" value={filters.since} onInput={set('since')} />
        </div>
        <div class="field inline">
          <label for="a-until">{t('set.until')}</label>
          <input id="a-until" type="datetime-local" value={filters.until} onInput={set('until')} />
        </div>
        <button type="submit" class="btn btn-sm">
          {t('common.apply')}
        </button>
      </form>
      <AsyncView state={logs} isEmpty={(d) => d.logs.length === 0} empty={t('set.noLogs')}>
        {(d) => (
          <>
            <div class="table-wrap">
              <table class="table dense" data-testid="audit-table">
                <thead>
                  <tr>
                    <th scope="col">{t('set.time')}</th>
                    <th scope="col">{t('set.method')}</th>
                    <th scope="col">{t('set.path')}</th>
                    <th scope="col" class="num">{t('set.statusCode')}</th>
                    <th scope="col">{t('set.keyId')}</th>
                    <th scope="col">{t('set.ip')}</th>
                    <th scope="col" class="num">{t('set.duration')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.logs.map((l) => (
                    <tr key={l.id}>
                      <td class="nowrap">{fmtTime(l.timestamp)}</td>
                      <td class="mono">{l.method}</td>
                      <td class="mono path">{l.path}</td>
                      <td class={`num code-${String(l.status_code ?? '')[0]}xx`}>{l.status_code ?? '—'}</td>
                      <td class="mono small">{l.api_key_id ? l.api_key_id.slice(0, 8) : '—'}</td>
                      <td class="mono small">{l.ip_address ?? '—'}</td>
                      <td class="num">{l.duration_ms !== null ? l.duration_ms.toFixed(1) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager total={d.total} limit={LIMIT} offset={offset} onPage={setOffset} />
          </>
        )}
      </AsyncView>
    </Card>
  );
}

export function SettingsPage() {
  if (!isAdmin.value)
    return (
      <div class="page">
        <h1>{t('set.title')}</h1>
        <ErrorBox error={new ApiError(403, t('forbidden.admin'), '')} />
      </div>
    );
  return (
    <div class="page">
      <div class="page-head">
        <h1>{t('set.title')}</h1>
      </div>
      <Keys />
      <Audit />
    </div>
  );
}
