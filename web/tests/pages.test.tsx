import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { App } from '../src/app';
import { setKey } from '../src/api';
import { imageNames } from '../src/components/artifacts';
import { setLang } from '../src/i18n';
import { fillDays } from '../src/pages/usage';
import { navigate } from '../src/router';
import { session } from '../src/session';
import { fakeApi, json, sseResponse } from './fakeapi';

function signedIn(scopes = { read: true, write: true, admin: true }) {
  setKey('yaa_k');
  session.value = { key: 'yaa_k', scopes };
}

const usage = { totals: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0, events: 0 }, groups: [] };

function run(status: string, extra: Record<string, unknown> = {}) {
  return {
    run_id: 'r2', channel_id: 'demo', topic: 'A run', status, dry_run: false, brand_name: 'Acme', current_agent: null,
    created_at: '2026-02-06T10:00:00Z', updated_at: null, completed_at: status === 'running' ? null : '2026-02-06T10:00:30Z', result: null,
    errors: status === 'failed' ? ['media_editor: ffmpeg exited 1'] : [],
    stages: [
      { stage: 'brand_researcher', status: 'done', started_at: '2026-02-06T10:00:00Z', finished_at: '2026-02-06T10:00:01Z', error: null },
      { stage: 'media_editor', status: status === 'failed' ? 'failed' : 'running', started_at: '2026-02-06T10:00:05Z', finished_at: null, error: status === 'failed' ? 'ffmpeg exited 1' : null },
    ],
    ...extra,
  };
}

describe('run actions', () => {
  it('cancels a running run after confirmation', async () => {
    setLang('en');
    signedIn();
    let status = 'running';
    const stream = sseResponse();
    const { calls } = fakeApi({
      'GET /pipeline/runs/r2': () => json(200, run(status)),
      'GET /pipeline/runs/r2/events': () => stream.response,
      'GET /usage/summary': () => json(200, usage),
      'POST /pipeline/runs/r2/cancel': () => {
        status = 'cancelled';
        return json(202, { detail: 'cancelling' });
      },
    });
    vi.stubGlobal('confirm', () => true);
    navigate('/runs/r2');
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel run' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/pipeline/runs/r2/cancel')).toBe(true));
    await waitFor(() => expect(document.querySelector('.run-sub [data-status]')!.getAttribute('data-status')).toBe('cancelled'));
    stream.close();
  });

  it('shows a failed run’s errors and retries it from a chosen stage', async () => {
    setLang('en');
    signedIn();
    const { calls } = fakeApi({
      'GET /pipeline/runs/r2': () => json(200, run('failed')),
      'GET /usage/summary': () => json(200, usage),
      'POST /pipeline/runs/r2/retry': () => json(202, { detail: 'queued' }),
      'GET /pipeline/runs/r2/events': () => sseResponse().response,
    });
    navigate('/runs/r2');
    render(<App />);
    expect(await screen.findByText('media_editor: ffmpeg exited 1')).toBeTruthy();
    expect(document.querySelector('li[data-stage="media_editor"]')!.getAttribute('data-status')).toBe('failed');
    expect(screen.getAllByText('ffmpeg exited 1').length).toBeGreaterThan(0);
    fireEvent.change(screen.getByLabelText('Retry from stage'), { target: { value: 'media_editor' } });
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(calls.some((c) => c.path === '/pipeline/runs/r2/retry')).toBe(true));
    const body = JSON.parse(String(calls.find((c) => c.path === '/pipeline/runs/r2/retry')!.init.body));
    expect(body).toEqual({ from_stage: 'media_editor' });
  });

  it('names the models a run used and says when one has no price', async () => {
    setLang('en');
    signedIn();
    const warning = "no price for model 'qwen2.5:7b' (openai-compatible): its usage is counted at $0, so cost_usd is too low; add it to PRICING_FILE";
    fakeApi({
      'GET /pipeline/runs/r2': () => json(200, run('completed', {
        models: [
          { agent: 'script_writer', provider: 'openai-compatible', model: 'qwen2.5:7b', kind: 'chat', priced: false },
          { agent: 'media_generator', provider: 'espeak', model: 'espeak-ng', kind: 'tts', priced: true },
        ],
        warnings: [warning],
      })),
      'GET /usage/summary': () => json(200, usage),
      'GET /pipeline/runs/r2/events': () => sseResponse().response,
    });
    navigate('/runs/r2');
    render(<App />);
    expect((await screen.findByTestId('run-models')).textContent).toBe('qwen2.5:7b (openai-compatible) ⚠');
    expect(screen.getByTestId('run-warnings').textContent).toContain(warning);
  });

  it('offers no cancel or retry to a read key', async () => {
    setLang('en');
    signedIn({ read: true, write: false, admin: false });
    fakeApi({ 'GET /pipeline/runs/r2': () => json(200, run('failed')), 'GET /usage/summary': () => json(200, usage) });
    navigate('/runs/r2');
    render(<App />);
    await screen.findByText('A run');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Cancel run' })).toBeNull();
  });
});

describe('channels', () => {
  it('creates a channel and shows a 409 beside the id field', async () => {
    setLang('en');
    signedIn();
    fakeApi({
      'GET /channels': () => json(200, { channels: [{ channel_id: 'demo', name: 'Demo', category: 'tech', has_brand_guide: false }], total: 1 }),
      'GET /usage/summary': () => json(200, { ...usage, groups: [{ key: 'demo', prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 1.25, events: 3 }] }),
      'POST /channels': () => json(409, { detail: "Channel 'demo' already exists" }),
    });
    navigate('/channels');
    render(<App />);
    expect(await screen.findByText('! no brand guide')).toBeTruthy();
    await waitFor(() => expect(screen.getByText('$1.25')).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: '+ New channel' }));
    fireEvent.input(screen.getByLabelText('Channel id'), { target: { value: 'demo' } });
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Demo again' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create channel' }));
    expect(await screen.findByText("Channel 'demo' already exists")).toBeTruthy();
    expect(screen.getByLabelText('Channel id').getAttribute('aria-invalid')).toBe('true');
  });

  it('hides create, edit and delete from non-admin keys', async () => {
    setLang('en');
    signedIn({ read: true, write: true, admin: false });
    fakeApi({
      'GET /channels': () => json(200, { channels: [{ channel_id: 'demo', name: 'Demo', category: 'tech', has_brand_guide: true }], total: 1 }),
      'GET /usage/summary': () => json(200, usage),
    });
    navigate('/channels');
    render(<App />);
    await screen.findByText('Demo');
    expect(screen.queryByRole('button', { name: /New channel/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Delete/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Edit/ })).toBeNull();
  });

  it('shows an empty state and an error state with retry', async () => {
    setLang('en');
    signedIn();
    let fail = true;
    fakeApi({
      'GET /channels': () => (fail ? json(500, { detail: 'database is locked' }) : json(200, { channels: [], total: 0 })),
      'GET /usage/summary': () => json(200, usage),
    });
    navigate('/channels');
    render(<App />);
    expect(await screen.findByText(/database is locked/)).toBeTruthy();
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No channels yet.')).toBeTruthy();
  });
});

describe('helpers', () => {
  it('fills missing days with zeros, charting calls when asked', () => {
    const g = [{ key: '2026-02-02', prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, cost_usd: 0.5, events: 4 }];
    expect(fillDays(g, '2026-02-01', '2026-02-03')).toEqual([
      { day: '2026-02-01', cost: 0, tokens: 0 },
      { day: '2026-02-02', cost: 0.5, tokens: 2 },
      { day: '2026-02-03', cost: 0, tokens: 0 },
    ]);
    expect(fillDays(g, '2026-02-02', '2026-02-02', 'events')[0].tokens).toBe(4);
  });

  it('finds image artifacts named anywhere in a result', () => {
    expect(imageNames({ a: ['/out/x/images/02.png', { b: 'images/01.png' }], c: 'video.mp4' })).toEqual(['images/01.png', 'images/02.png']);
  });
});

describe('health', () => {
  it('shows the failing part when /health answers 503', async () => {
    setLang('en');
    signedIn();
    fakeApi({
      'GET /dashboard/summary': () => json(200, { total_runs: 0, active_runs: 0, success_runs: 0, failed_runs: 0, avg_duration_sec: null, estimated_cost_usd: null, recent_runs: [] }),
      'GET /health': () => json(503, { status: 'degraded', version: '0.1.0', database: 'ok', queue: 'redis: connection refused' }),
      'GET /usage/summary': () => json(200, usage),
    });
    render(<App />);
    expect(await screen.findByText('redis: connection refused')).toBeTruthy();
    expect(screen.getByText('degraded')).toBeTruthy();
    expect(await screen.findByText('No runs yet. Start one with “New video”.')).toBeTruthy();
  });
});

describe('budgets', () => {
  it('shows spend against the monthly budget from the channel view', async () => {
    setLang('en');
    signedIn();
    fakeApi({
      'GET /channels': () => json(200, { channels: [{ channel_id: 'demo', name: 'Demo', category: 'tech', has_brand_guide: true, spend_month_usd: 3, budget: { monthly_usd: 10, per_run_usd: 0.5 } }], total: 1 }),
      'GET /usage/summary': () => json(200, usage),
    });
    navigate('/channels');
    render(<App />);
    const spend = await screen.findByTestId('spend');
    expect(spend).toHaveTextContent('$3.00');
    expect(spend).toHaveTextContent('of $10.00 monthly budget');
    expect(spend).toHaveTextContent('at most $0.50 a run');
    expect(screen.getByRole('meter').getAttribute('aria-valuenow')).toBe('30');
  });

  it('shows a 402 (budget spent) beside the channel of a new run', async () => {
    setLang('en');
    signedIn();
    fakeApi({
      'GET /channels': () => json(200, { channels: [{ channel_id: 'demo', name: 'Demo', category: 'tech', has_brand_guide: true }], total: 1 }),
      'POST /pipeline/run': () => json(402, { detail: "channel 'demo' has spent its monthly budget ($10.00)" }),
    });
    navigate('/runs/new');
    render(<App />);
    fireEvent.change(await screen.findByLabelText('Channel'), { target: { value: 'demo' } });
    fireEvent.input(screen.getByLabelText('Topic'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start run' }));
    expect(await screen.findByText(/monthly budget is spent \(402\).*\$10\.00/)).toBeTruthy();
    expect(screen.getByLabelText('Channel').getAttribute('aria-invalid')).toBe('true');
  });
});

describe('stage list', () => {
  it('shows the stages /openapi.json declares, in its order, with pending ones the run has no row for', async () => {
    setLang('en');
    signedIn();
    const order = ['brand_researcher', 'fact_checker', 'script_writer', 'media_editor'];
    fakeApi({
      'GET /openapi.json': () => json(200, { openapi: '3.1.0', components: { schemas: { StageName: { type: 'string', enum: order } } } }),
      'GET /pipeline/runs/r2': () => json(200, run('failed')),
      'GET /usage/summary': () => json(200, usage),
      'GET /pipeline/runs/r2/events': () => sseResponse().response,
    });
    navigate('/runs/r2');
    render(<App />);
    await waitFor(() => expect(document.querySelectorAll('li[data-stage]').length).toBe(order.length));
    const shown = [...document.querySelectorAll('li[data-stage]')].map((li) => li.getAttribute('data-stage'));
    expect(shown).toEqual(order);
    expect(document.querySelector('li[data-stage="fact_checker"]')!.getAttribute('data-status')).toBe('pending');
    const options = [...(screen.getByLabelText('Retry from stage') as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(['', ...order]);
  });
});
