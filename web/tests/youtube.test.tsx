import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { YouTubeAccountCard } from '../src/components/youtube';
import { setKey } from '../src/api';
import { setLang } from '../src/i18n';
import { session } from '../src/session';
import { fakeApi, json } from './fakeapi';

function signedIn(admin: boolean) {
  setKey('yaa_k');
  session.value = { key: 'yaa_k', scopes: { read: true, write: true, admin } };
}

const none = { channel_id: 'demo', account: 'none', can_connect: true, youtube_channel_id: null, title: null, connected_at: null };
const own = { ...none, account: 'channel', youtube_channel_id: 'UCabcdefghijklmnopqrstuv', title: 'Demo TV', connected_at: '2026-12-06T10:00:00Z' };

describe('YouTube account card', () => {
  it('starts the consent flow and sends the browser to Google', async () => {
    setLang('en');
    signedIn(true);
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    const api = fakeApi({
      'GET /channels/demo/youtube': () => json(200, none),
      'POST /channels/demo/youtube/connect': () => json(200, { auth_url: 'https://accounts.example/auth?x=1', redirect_uri: 'http://h/cb', expires_in: 900 }),
    });
    render(<YouTubeAccountCard channelId="demo" />);
    expect(await screen.findByTestId('yt-account')).toHaveTextContent(/dry runs/);
    fireEvent.click(screen.getByRole('button', { name: 'Connect YouTube account' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://accounts.example/auth?x=1'));
    expect(api.calls.some((c) => c.method === 'POST' && c.path === '/channels/demo/youtube/connect')).toBe(true);
    vi.unstubAllGlobals();
  });

  it('shows the connected account and disconnects it; a read key gets no buttons', async () => {
    setLang('en');
    signedIn(true);
    vi.stubGlobal('confirm', () => true);
    let state: Record<string, unknown> = own;
    fakeApi({
      'GET /channels/demo/youtube': () => json(200, state),
      'DELETE /channels/demo/youtube': () => {
        state = none;
        return json(200, { channel_id: 'demo', disconnected: true });
      },
    });
    const { unmount } = render(<YouTubeAccountCard channelId="demo" />);
    expect(await screen.findByTestId('yt-account')).toHaveTextContent('UCabcdefghijklmnopqrstuv');
    fireEvent.click(screen.getByRole('button', { name: 'Disconnect' }));
    await waitFor(() => expect(screen.getByTestId('yt-account')).toHaveTextContent(/dry runs/));
    unmount();
    vi.unstubAllGlobals();
    signedIn(false);
    fakeApi({ 'GET /channels/demo/youtube': () => json(200, own) });
    render(<YouTubeAccountCard channelId="demo" />);
    await screen.findByTestId('yt-account');
    expect(screen.queryByRole('button')).toBeNull();
  });
});
