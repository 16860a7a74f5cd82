import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { App } from '../src/app';
import { setKey } from '../src/api';
import { setLang } from '../src/i18n';
import { navigate } from '../src/router';
import { session } from '../src/session';
import { fakeApi, json, sseResponse } from './fakeapi';

const summary = {
  total_runs: 3, active_runs: 1, success_runs: 1, failed_runs: 1, avg_duration_sec: 42.5, estimated_cost_usd: 0,
  recent_runs: [{ run_id: 'r1', channel_id: 'demo', topic: 'Hello world', status: 'completed', dry_run: true, created_at: '2026-02-06T10:00:00Z', completed_at: '2026-02-06T10:01:00Z' }],
};
const usage = { totals: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, cost_usd: 0, events: 2 }, groups: [] };
const channels = { channels: [{ channel_id: 'demo', name: 'Demo', category: 'tech', has_brand_guide: true, language: 'ko' }], total: 1 };

function signedIn(scopes = { read: true, write: true, admin: true }) {
  setKey('yaa_k');
  session.value = { key: 'yaa_k', scopes };
}

describe('sign-in', () => {
  it('explains a 401 and keeps the user on the sign-in page', async () => {
    setLang('en');
    session.value = null;
    fakeApi({ 'GET /dashboard/summary': () => json(401, { detail: 'invalid API key' }) });
    render(<App />);
    fireEvent.input(screen.getByLabelText('API key'), { target: { value: 'yaa_bad' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/not valid.*401/);
    expect(localStorage.getItem('yaa.api_key')).toBeNull();
  });

  it('probes scopes: a read key gets no admin screens and no write buttons', async () => {
    setLang('en');
    session.value = null;
    fakeApi({
      'GET /dashboard/summary': () => json(200, summary),
      'GET /admin/api-keys': () => json(403, { detail: 'admin scope required' }),
      'POST /pipeline/runs/*/cancel': () => json(403, { detail: 'write scope required' }),
      'GET /health': () => json(200, { status: 'ok', version: '0.1.0', database: 'ok', queue: 'ok' }),
      'GET /usage/summary': () => json(200, usage),
    });
    render(<App />);
    fireEvent.input(screen.getByLabelText('API key'), { target: { value: 'yaa_read' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByText('Runs')).toBeTruthy();
    expect(within(nav).queryByText('Settings')).toBeNull();
    expect(screen.queryByText(/New video/)).toBeNull();
    expect(session.peek()?.scopes).toEqual({ read: true, write: false, admin: false });
    expect(localStorage.getItem('yaa.api_key')).toBe('yaa_read');
    await screen.findByText('Hello world');
  });
});

describe('dashboard', () => {
  it('shows the cards, recent runs with status pills and health; switches to Korean', async () => {
    setLang('en');
    signedIn();
    fakeApi({
      'GET /dashboard/summary': () => json(200, summary),
      'GET /health': () => json(200, { status: 'ok', version: '0.1.0', database: 'ok', queue: 'ok' }),
      'GET /usage/summary': () => json(200, { ...usage, totals: { ...usage.totals, cost_usd: 1.5 } }),
    });
    render(<App />);
    expect(await screen.findByText('Hello world')).toBeTruthy();
    expect(screen.getByText('Total runs').nextSibling).toHaveTextContent('3');
    expect(screen.getByText('Average duration').nextSibling).toHaveTextContent('43s');
    await waitFor(() => expect(screen.getByText('Spend this month').nextSibling).toHaveTextContent('$1.50'));
    expect(document.querySelector('[data-status="completed"]')).toBeTruthy();
    await screen.findByTestId('health');
    fireEvent.change(screen.getAllByLabelText('Language')[0], { target: { value: 'ko' } });
    expect(await screen.findByText('전체 실행')).toBeTruthy();
    expect(document.documentElement.lang).toBe('ko');
    setLang('en');
  });
});

describe('new run', () => {
  it('shows the API 422 messages beside their fields', async () => {
    setLang('en');
    signedIn();
    const { calls } = fakeApi({
      'GET /channels': () => json(200, channels),
      'POST /pipeline/run': () => json(422, { detail: [{ loc: ['body', 'topic'], msg: 'topic is too long (max 500)', type: 'value_error' }] }),
    });
    navigate('/runs/new');
    render(<App />);
    fireEvent.change(await screen.findByLabelText('Channel'), { target: { value: 'demo' } });
    fireEvent.input(screen.getByLabelText('Topic'), { target: { value: 'x' } });
    fireEvent.click(screen.getByLabelText(/Short/));
    fireEvent.click(screen.getByRole('button', { name: 'Start run' }));
    expect(await screen.findByText('topic is too long (max 500)')).toBeTruthy();
    expect(screen.getByLabelText('Topic').getAttribute('aria-invalid')).toBe('true');
    const body = JSON.parse(String(calls.find((c) => c.method === 'POST')!.init.body));
    expect(body).toEqual({ channel_id: 'demo', topic: 'x', brand_name: '', dry_run: true, short: true });
  });

  it('validates required fields before calling the API', async () => {
    setLang('en');
    signedIn();
    const { calls } = fakeApi({ 'GET /channels': () => json(200, channels) });
    navigate('/runs/new');
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Start run' }));
    expect(await screen.findAllByText('Required.')).toHaveLength(2);
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });
});

describe('run detail', () => {
  it('follows the stage timeline and log lines live over the event stream', async () => {
    setLang('en');
    signedIn();
    const stream = sseResponse();
    let status = 'running';
    const detail = () => ({
      run_id: 'r1', channel_id: 'demo', topic: 'Live run', status, dry_run: true, brand_name: '', current_agent: status === 'running' ? 'brand_researcher' : null,
      created_at: '2026-02-06T10:00:00Z', updated_at: null, completed_at: status === 'completed' ? '2026-02-06T10:01:00Z' : null, result: null, errors: [],
      stages: status === 'completed'
        ? ['brand_researcher', 'script_writer', 'seo_optimizer', 'media_generator', 'media_editor', 'publisher'].map((s) => ({ stage: s, status: 'done', started_at: '2026-02-06T10:00:00Z', finished_at: '2026-02-06T10:00:10Z', error: null }))
        : [{ stage: 'brand_researcher', status: 'running', started_at: '2026-02-06T10:00:00Z', finished_at: null, error: null }],
    });
    const { calls } = fakeApi({
      'GET /pipeline/runs/r1': () => json(200, detail()),
      'GET /pipeline/runs/r1/events': () => stream.response,
      'GET /usage/summary': () => json(200, { totals: { ...usage.totals, cost_usd: 0 }, groups: [{ key: 'script_writer', prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, cost_usd: 0, events: 1 }] }),
      'GET /pipeline/runs/r1/artifacts/script.md': () => new Response('# Title\n\n<script>alert(1)</script> **bold**', { status: 200 }),
    });
    navigate('/runs/r1');
    render(<App />);
    await screen.findByText('Live run');
    await waitFor(() => expect(screen.getByTestId('stream-state')).toHaveTextContent('Live'));
    const events = calls.find((c) => c.path === '/pipeline/runs/r1/events')!;
    expect((events.init.headers as Record<string, string>)['X-API-Key']).toBe('yaa_k');
    stream.send('stage', { stage: 'brand_researcher', status: 'done', elapsed_sec: 1.5 });
    stream.send('stage', { stage: 'script_writer', status: 'running' });
    stream.send('log', { message: 'writing the script', stage: 'script_writer' });
    await screen.findByText('writing the script');
    await waitFor(() => expect(document.querySelector('[data-stage="script_writer"]')!.getAttribute('data-status')).toBe('running'));
    expect(document.querySelector('[data-stage="brand_researcher"]')!.getAttribute('data-status')).toBe('done');
    status = 'completed';
    stream.send('done', { status: 'completed' });
    stream.close();
    await waitFor(() => expect(screen.getByTestId('stream-state')).toHaveTextContent('Finished'));
    await waitFor(() => expect(document.querySelectorAll('li[data-status="done"]').length).toBe(6));
    const script = await screen.findByTestId('script');
    expect(script.querySelector('h3')!.textContent).toBe('Title');
    expect(script.querySelector('script')).toBeNull();
    expect(script.textContent).toContain('<script>');
    await waitFor(() => expect(within(screen.getByTestId('run-cost')).getByText('script_writer')).toBeTruthy());
    expect(screen.getByTestId('run-cost-total')).toHaveTextContent('$0.00');
  });
});

describe('settings', () => {
  it('shows a created key once with a copy button and revokes keys', async () => {
    setLang('en');
    signedIn();
    const keys = [{ key_id: 'k1', name: 'admin', scopes: ['read', 'write', 'admin'], is_active: true, created_at: '2026-02-06T10:00:00Z', expires_at: null, last_used_at: null }];
    fakeApi({
      'GET /admin/api-keys': () => json(200, { keys, total: keys.length }),
      'POST /admin/api-keys': async (_u, init) => {
        const b = JSON.parse(String(init.body));
        keys.push({ key_id: 'k2', name: b.name, scopes: b.scopes, is_active: true, created_at: '2026-02-06T10:00:00Z', expires_at: null, last_used_at: null });
        return json(201, { api_key: 'yaa_NEWKEY', key_id: 'k2', name: b.name, scopes: b.scopes, created_at: '2026-02-06T10:00:00Z', expires_at: null });
      },
      'DELETE /admin/api-keys/k2': () => {
        keys[1].is_active = false;
        return json(200, { detail: 'revoked' });
      },
      'GET /admin/audit-logs': () => json(200, { logs: [{ id: 1, timestamp: '2026-02-06T10:00:00Z', method: 'GET', path: '/api/v1/channels', status_code: 200, api_key_id: 'k1', ip_address: '127.0.0.1', duration_ms: 1.2 }], total: 1, limit: 50, offset: 0 }),
    });
    vi.stubGlobal('confirm', () => true);
    navigate('/settings');
    render(<App />);
    await screen.findByText('/api/v1/channels');
    fireEvent.input(screen.getByLabelText('Key name'), { target: { value: 'ci' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByTestId('new-key-value')).toHaveTextContent('yaa_NEWKEY');
    expect(screen.getByRole('button', { name: 'Copy' })).toBeTruthy();
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke ci' }));
    await waitFor(() => expect(screen.queryByTestId('new-key-value')).toBeNull());
    await waitFor(() => expect(document.querySelector('[data-key-id="k2"]')).toHaveTextContent('revoked'));
  });

  it('is refused to a key without the admin scope', async () => {
    setLang('en');
    signedIn({ read: true, write: true, admin: false });
    fakeApi({});
    navigate('/settings');
    render(<App />);
    expect(await screen.findByRole('alert')).toHaveTextContent('admin scope');
  });
});
