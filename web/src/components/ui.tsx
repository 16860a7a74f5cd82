// ui.tsx - the small shared pieces: links, status pills, loading/empty/error states (and
// AsyncView, which picks among them for one loaded value), cards,
// tabs, pagination and form fields.
import type { ComponentChildren, JSX } from 'preact';
import { useRef } from 'preact/hooks';
import { ApiError } from '../api';
import { t, type MsgKey } from '../i18n';
import { navigate } from '../router';

export function Link(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const { href, onClick, ...rest } = props;
  return (
    <a
      href={href}
      onClick={(e) => {
        if (onClick) (onClick as (e: MouseEvent) => void)(e as unknown as MouseEvent);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
      {...rest}
    />
  );
}

const KNOWN = new Set(['pending', 'running', 'awaiting_review', 'completed', 'failed', 'cancelled', 'done', 'skipped']);

export function StatusPill({ status }: { status: string }) {
  const s = KNOWN.has(status) ? status : 'unknown';
  const label = KNOWN.has(status) ? t(`status.${status}` as MsgKey) : status;
  return (
    <span class={`pill pill-${s}`} data-status={status}>
      <span class="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

export function Loading({ label }: { label?: string }) {
  return (
    <div class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state state-empty">{children}</div>;
}

/** A readable message for any error the API client throws. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('err.network');
    const base: Partial<Record<number, MsgKey>> = {
      401: 'err.401', 402: 'err.402', 403: 'err.403', 404: 'err.404', 409: 'err.409', 422: 'err.422', 429: 'err.429',
    };
    const k = base[err.status];
    const detail = typeof err.detail === 'string' ? err.detail : err.status === 422 ? err.message : '';
    if (k) return detail ? `${t(k)} ${detail}` : t(k);
    return `${t('err.generic')} (${err.status})${detail || err.message ? `: ${detail || err.message}` : ''}`;
  }
  return `${t('err.generic')}: ${(err as Error)?.message ?? String(err)}`;
}

/** The part of a useAsync() state AsyncView needs. */
export interface AsyncValue<T> {
  data: T | undefined;
  error: unknown;
  reload?: () => void;
}

/** One loaded value's states: an error (with retry) while there is no data, loading, an
 * empty message when isEmpty(data), else children(data). Data already shown stays on screen
 * while it reloads or a reload fails. */
export function AsyncView<T>({
  state,
  isEmpty,
  empty,
  children,
}: {
  state: AsyncValue<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ComponentChildren;
  children: (data: T) => ComponentChildren;
}) {
  if (state.error && state.data === undefined) return <ErrorBox error={state.error} onRetry={state.reload} />;
  if (state.data === undefined) return <Loading />;
  if (isEmpty?.(state.data)) return <Empty>{empty}</Empty>;
  return <>{children(state.data)}</>;
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <span>{errorText(error)}</span>
      {onRetry && (
        <button type="button" class="btn btn-sm" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Card(props: { title?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; class?: string; id?: string }) {
  return (
    <section class={`card ${props.class ?? ''}`} aria-labelledby={props.id ? `${props.id}-h` : undefined}>
      {(props.title || props.actions) && (
        <header class="card-head">
          {props.title && <h2 id={props.id ? `${props.id}-h` : undefined}>{props.title}</h2>}
          {props.actions && <div class="card-actions">{props.actions}</div>}
        </header>
      )}
      {props.children}
    </section>
  );
}

export function Stat({ label, value, tone }: { label: string; value: ComponentChildren; tone?: string }) {
  return (
    <div class={`stat ${tone ? `stat-${tone}` : ''}`}>
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
    </div>
  );
}

export interface TabDef {
  id: string;
  label: string;
}

/** WAI-ARIA tabs: arrow keys move between tabs, the panel follows. */
export function Tabs(props: { tabs: TabDef[]; active: string; onChange: (id: string) => void; label: string; children: ComponentChildren }) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const idx = props.tabs.findIndex((x) => x.id === props.active);
  const move = (d: number) => {
    const n = (idx + d + props.tabs.length) % props.tabs.length;
    props.onChange(props.tabs[n].id);
    refs.current[n]?.focus();
  };
  return (
    <div class="tabs">
      <div role="tablist" aria-label={props.label} class="tablist">
        {props.tabs.map((tab, i) => (
          <button
            type="button"
            role="tab"
            id={`tab-${tab.id}`}
            aria-selected={tab.id === props.active}
            aria-controls={tab.id === props.active ? `panel-${tab.id}` : undefined}
            tabIndex={tab.id === props.active ? 0 : -1}
            ref={(el) => {
              refs.current[i] = el;
            }}
            class={tab.id === props.active ? 'tab active' : 'tab'}
            onClick={() => props.onChange(tab.id)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight') { e.preventDefault(); move(1); }
              else if (e.key === 'ArrowLeft') { e.preventDefault(); move(-1); }
              else if (e.key === 'Home') { e.preventDefault(); props.onChange(props.tabs[0].id); refs.current[0]?.focus(); }
              else if (e.key === 'End') { e.preventDefault(); const l = props.tabs.length - 1; props.onChange(props.tabs[l].id); refs.current[l]?.focus(); }
            }}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${props.active}`} aria-labelledby={`tab-${props.active}`} tabIndex={0} class="tabpanel">
        {props.children}
      </div>
    </div>
  );
}

export function Pager(props: { total: number; limit: number; offset: number; onPage: (offset: number) => void }) {
  const { total, limit, offset } = props;
  if (total <= 0) return null;
  const from = Math.min(offset + 1, total);
  const to = Math.min(offset + limit, total);
  return (
    <nav class="pager" aria-label={t('common.pagination')}>
      <span class="muted">{t('common.page', { from, to, total })}</span>
      <button type="button" class="btn btn-sm" disabled={offset <= 0} onClick={() => props.onPage(Math.max(0, offset - limit))}>
        {t('common.prev')}
      </button>
      <button type="button" class="btn btn-sm" disabled={offset + limit >= total} onClick={() => props.onPage(offset + limit)}>
        {t('common.next')}
      </button>
    </nav>
  );
}

/** A labelled form control with hint and per-field error (aria-describedby/aria-invalid). */
export function Field(props: { id: string; label: string; hint?: string; error?: string; children: (a: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ComponentChildren }) {
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-err` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field ${props.error ? 'has-error' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children({ id: props.id, 'aria-describedby': described || undefined, 'aria-invalid': props.error ? true : undefined })}
      {props.hint && <div class="hint" id={`${props.id}-hint`}>{props.hint}</div>}
      {props.error && (
        <div class="field-error" id={`${props.id}-err`} role="alert">
          {props.error}
        </div>
      )}
    </div>
  );
}

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const ref = useRef<HTMLButtonElement>(null);
  return (
    <button
      type="button"
      class="btn btn-sm"
      ref={ref}
      onClick={async () => {
        let ok = false;
        try {
          await navigator.clipboard.writeText(text);
          ok = true;
        } catch {
          // Clipboard API unavailable (plain http): select the text for the user instead.
          const el = document.querySelector<HTMLElement>('[data-copy-source]');
          if (el) {
            const r = document.createRange();
            r.selectNodeContents(el);
            const sel = getSelection();
            sel?.removeAllRanges();
            sel?.addRange(r);
            ok = document.execCommand?.('copy') ?? false;
          }
        }
        if (ref.current && ok) {
          ref.current.textContent = t('common.copied');
          setTimeout(() => ref.current && (ref.current.textContent = label ?? t('common.copy')), 1500);
        }
      }}
    >
      {label ?? t('common.copy')}
    </button>
  );
}
