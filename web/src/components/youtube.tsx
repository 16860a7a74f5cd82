// youtube.tsx - the YouTube account a channel uploads with (its own, connected through
// Google's consent screen, or the server's global one), with connect / disconnect for admins.
// Connecting opens Google's page; Google sends the browser back to the API's callback, which
// stores the token (sealed) and links back to this channel.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../i18n';
import { isAdmin } from '../session';
import { Card, ErrorBox, Loading, errorText } from './ui';
import { useAsync } from '../hooks';

export function YouTubeAccountCard({ channelId }: { channelId: string }) {
  const acct = useAsync((s) => api.youtubeAccount(channelId, s), [channelId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const connect = async () => {
    setBusy(true);
    setError(null);
    try {
      const start = await api.youtubeConnect(channelId);
      window.location.assign(start.auth_url);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  const disconnect = async () => {
    if (!window.confirm(t('yt.confirmDisconnect'))) return;
    setBusy(true);
    setError(null);
    try {
      await api.youtubeDisconnect(channelId);
      acct.reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const a = acct.data;
  return (
    <Card title={t('yt.title')} id="youtube">
      {acct.error ? (
        <ErrorBox error={acct.error} onRetry={acct.reload} />
      ) : !a ? (
        <Loading />
      ) : (
        <>
          <p data-testid="yt-account">
            {a.account === 'channel'
              ? t('yt.own', { id: a.youtube_channel_id ?? '', title: a.title ?? '' })
              : a.account === 'global'
                ? t('yt.global')
                : t('yt.none')}
          </p>
          {error && <p class="state state-error" role="alert">{error}</p>}
          {isAdmin.value && (
            <div class="actions">
              {a.can_connect && (
                <button type="button" class="btn btn-primary" disabled={busy} onClick={connect}>
                  {a.account === 'channel' ? t('yt.reconnect') : t('yt.connect')}
                </button>
              )}
              {a.account === 'channel' && (
                <button type="button" class="btn" disabled={busy} onClick={disconnect}>
                  {t('yt.disconnect')}
                </button>
              )}
            </div>
          )}
          {isAdmin.value && !a.can_connect && <p class="muted">{t('yt.noClient')}</p>}
        </>
      )}
    </Card>
  );
}
