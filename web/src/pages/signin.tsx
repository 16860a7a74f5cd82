// signin.tsx - paste an API key; the key's scopes are probed, and a 401/403 is explained.
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { errorText } from '../components/ui';
import { t, type MsgKey } from '../i18n';
import { signIn, signedOutReason } from '../session';

export function SignIn() {
  const [key, setKeyText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(signedOutReason.value ? t(signedOutReason.value as MsgKey) : null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const k = key.trim();
    if (!k) {
      setError(t('signin.empty'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(k);
      signedOutReason.value = null;
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('err.401') : errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin" id="main">
      <div class="signin-card">
        <div class="signin-brand">
          <span class="logo" aria-hidden="true">
            ▶
          </span>
          <div>
            <h1>{t('app.title')}</h1>
            <p class="muted">{t('app.tagline')}</p>
          </div>
        </div>
        <form onSubmit={submit} noValidate>
          <h2>{t('signin.title')}</h2>
          <p class="muted">{t('signin.intro')}</p>
          <div class={`field ${error ? 'has-error' : ''}`}>
            <label for="api-key">{t('signin.key')}</label>
            <input
              id="api-key"
              name="api-key"
              type="password"
              autoComplete="off"
              spellcheck={false}
              placeholder="yaa_…"
              value={key}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'api-key-err' : 'api-key-help'}
              onInput={(e) => setKeyText((e.target as HTMLInputElement).value)}
              autoFocus
            />
            {error ? (
              <div class="field-error" id="api-key-err" role="alert">
                {error}
              </div>
            ) : (
              <div class="hint" id="api-key-help">
                {t('signin.help')}
              </div>
            )}
          </div>
          <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
            {busy ? t('signin.checking') : t('signin.submit')}
          </button>
        </form>
      </div>
    </main>
  );
}
