// app.tsx - the shell: sign-in gate, top bar with navigation, language switch and scopes,
// and the page for the current path.
import { useEffect, useRef } from 'preact/hooks';
import { Link } from './components/ui';
import { lang, setLang, t, type Lang } from './i18n';
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

const NAV: { href: string; key: 'nav.dashboard' | 'nav.runs' | 'nav.channels' | 'nav.usage' | 'nav.settings'; admin?: boolean }[] = [
  { href: '/', key: 'nav.dashboard' },
  { href: '/runs', key: 'nav.runs' },
  { href: '/channels', key: 'nav.channels' },
  { href: '/usage', key: 'nav.usage' },
  { href: '/settings', key: 'nav.settings', admin: true },
];

function pageFor(path: string) {
  let m: Record<string, string> | null;
  if (path === '/' || path === '') return { title: t('dash.title'), el: <Dashboard /> };
  if (match('/runs', path)) return { title: t('runs.title'), el: <RunsPage /> };
  if (match('/runs/new', path)) return { title: t('new.title'), el: <NewRun /> };
  if ((m = match('/runs/:id', path))) return { title: `${t('run.title')} ${m.id.slice(0, 8)}`, el: <RunDetailPage id={m.id} /> };
  if (match('/channels', path)) return { title: t('ch.title'), el: <ChannelsPage /> };
  if ((m = match('/channels/:id', path))) return { title: `${t('ch.title')} · ${m.id}`, el: <ChannelDetailPage id={m.id} /> };
  if (match('/usage', path)) return { title: t('usage.title'), el: <UsagePage /> };
  if (match('/settings', path)) return { title: t('set.title'), el: <SettingsPage /> };
  return {
    title: t('notfound.title'),
    el: (
      <div class="page">
        <h1>{t('notfound.title')}</h1>
        <p>
          <Link href="/">{t('notfound.back')}</Link>
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
    if (s && path === '/signin') navigate('/', true);
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
        <Link href="/" class="brand" aria-label={t('app.title')}>
          <span class="logo" aria-hidden="true">
            ▶
          </span>
          yaa
        </Link>
        <nav aria-label={t('nav.main')} class="nav">
          {NAV.filter((n) => !n.admin || isAdmin.value).map((n) => {
            const active = n.href === '/' ? path === '/' : path === n.href || path.startsWith(`${n.href}/`);
            return (
              <Link key={n.href} href={n.href} class={active ? 'active' : ''} aria-current={active ? 'page' : undefined}>
                {t(n.key)}
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
              navigate('/', true);
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
