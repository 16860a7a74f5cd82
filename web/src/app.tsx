// app.tsx - the shell: sign-in gate, top bar with navigation, language switch and scopes,
// and the page for the current path (ROUTES: every route once; URLs come from paths.ts).
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Link } from './components/ui';
import { lang, setLang, t, type Lang } from './i18n';
import { PATTERNS, paths } from './paths';
import { match, navigate, route } from './router';
import { isAdmin, session, signOut } from './session';
import { SignIn } from './pages/signin';
import { Dashboard } from './pages/dashboard';
import { RunsPage } from './pages/runs';
import { NewRun } from './pages/newrun';
import { RunDetailPage } from './pages/rundetail';
import { ChannelsPage, ChannelDetailPage } from './pages/channels';
import { UsagePage } from './pages/usage';
import { SettingsPage } from './pages/settings';

type NavKey = 'nav.dashboard' | 'nav.runs' | 'nav.channels' | 'nav.usage' | 'nav.settings';

/** The routes, once: pattern (paths.ts), page, title, and the navigation entry if any.
 * Order matters where patterns overlap: /runs/new before /runs/:id. */
const ROUTES: {
  pattern: string;
  title: (p: Record<string, string>) => string;
  page: (p: Record<string, string>) => JSX.Element;
  nav?: NavKey;
  admin?: boolean;
}[] = [
  { pattern: PATTERNS.dashboard, title: () => t('dash.title'), page: () => <Dashboard />, nav: 'nav.dashboard' },
  { pattern: PATTERNS.runs, title: () => t('runs.title'), page: () => <RunsPage />, nav: 'nav.runs' },
  { pattern: PATTERNS.newRun, title: () => t('new.title'), page: () => <NewRun /> },
  { pattern: PATTERNS.run, title: (p) => `${t('run.title')} ${p.id.slice(0, 8)}`, page: (p) => <RunDetailPage id={p.id} /> },
  { pattern: PATTERNS.channels, title: () => t('ch.title'), page: () => <ChannelsPage />, nav: 'nav.channels' },
  { pattern: PATTERNS.channel, title: (p) => `${t('ch.title')} · ${p.id}`, page: (p) => <ChannelDetailPage id={p.id} /> },
  { pattern: PATTERNS.usage, title: () => t('usage.title'), page: () => <UsagePage />, nav: 'nav.usage' },
  { pattern: PATTERNS.settings, title: () => t('set.title'), page: () => <SettingsPage />, nav: 'nav.settings', admin: true },
];

function pageFor(path: string) {
  for (const r of ROUTES) {
    const m = match(r.pattern, path);
    if (m) return { title: r.title(m), el: r.page(m) };
  }
  return {
    title: t('notfound.title'),
    el: (
      <div class="page">
        <h1>{t('notfound.title')}</h1>
        <p>
          <Link href={paths.dashboard()}>{t('notfound.back')}</Link>
        </p>
      </div>
    ),
  };
}

function LangSwitch() {
  return (
    <label class="lang">
      <span class="sr-only">{t('nav.language')}</span>
      <select value={lang.value} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)} aria-label={t('nav.language')}>
        <option value="en">English</option>
        <option value="ko">한국어</option>
      </select>
    </label>
  );
}

export function App() {
  const s = session.value;
  const path = route.value.path;
  const page = s ? pageFor(path) : null;
  const title = page ? page.title : t('signin.title');
  useEffect(() => {
    document.documentElement.lang = lang.value;
    document.title = `${title} · ${t('app.title')}`;
  });
  useEffect(() => {
    if (s && path === '/signin') navigate(paths.dashboard(), true);
  }, [s, path]);
  // After a navigation (not the first render), focus moves to the new page's content so
  // keyboard and screen-reader users start there.
  const lastPath = useRef(path);
  useEffect(() => {
    if (lastPath.current === path) return;
    lastPath.current = path;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);

  if (!s || !page) {
    return (
      <div class="signin-shell">
        <div class="signin-top">
          <LangSwitch />
        </div>
        <SignIn />
      </div>
    );
  }
  const scopes = Object.entries(s.scopes)
    .filter(([, v]) => v)
    .map(([k]) => k);
  return (
    <div class="shell">
      <a class="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header class="topbar">
        <Link href={paths.dashboard()} class="brand" aria-label={t('app.title')}>
          <span class="logo" aria-hidden="true">
            ▶
          </span>
          yaa
        </Link>
        <nav aria-label={t('nav.main')} class="nav">
          {ROUTES.filter((r) => r.nav && (!r.admin || isAdmin.value)).map((r) => {
            const href = r.pattern;
            const active = href === PATTERNS.dashboard ? path === href : path === href || path.startsWith(`${href}/`);
            return (
              <Link key={href} href={href} class={active ? 'active' : ''} aria-current={active ? 'page' : undefined}>
                {t(r.nav as NavKey)}
              </Link>
            );
          })}
        </nav>
        <div class="topbar-right">
          <span class="scopes" title={t('scope.label')} data-testid="scopes">
            {scopes.map((x) => (
              <span key={x} class={`scope scope-${x}`}>
                {x}
              </span>
            ))}
          </span>
          <LangSwitch />
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            onClick={() => {
              signOut();
              navigate(paths.dashboard(), true);
            }}
          >
            {t('nav.signout')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page.el}
      </main>
    </div>
  );
}
