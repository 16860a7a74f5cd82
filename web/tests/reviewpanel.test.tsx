// reviewpanel.test.tsx - the review card at the video gate: the metadata form with counters
// that turn red past YouTube's limits, the server's 422 shown under its field, the quality
// report when the run has one, and approve / reject (notes required) calling the API; the
// composed description with its footage credits, counted with the lines an edit removed.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { ReviewPanel } from '../src/components/review';
import { setKey } from '../src/api';
import { session } from '../src/session';
import type { RunDetail } from '../src/types';
import { fakeApi, json } from './fakeapi';

const STAGES = ['brand_researcher', 'script_writer', 'seo_optimizer', 'media_generator', 'media_editor', 'publisher'];

function detail(): RunDetail {
  return {
    run_id: 'r1', channel_id: 'demo', topic: 'Pasta', status: 'awaiting_review', dry_run: true,
    created_at: '2026-02-06T10:00:00Z', completed_at: null, brand_name: '', current_agent: 'publisher',
    updated_at: null, result: null, errors: [],
    review: { mode: 'video', stage: 'video', history: [{ action: 'reject', key_id: 'k1', at: '2026-02-06T10:05:00Z', notes: 'Shorter intro', from_stage: 'script_writer' }] },
  };
}

describe('ReviewPanel at the video gate', () => {
  it('counts limits live, shows 422 per field, the quality report, and decides', async () => {
    setKey('yaa_k');
    session.value = { key: 'yaa_k', scopes: { read: true, write: true, admin: false } };
    const api = fakeApi({
      'GET /pipeline/runs/r1/metadata': () => json(200, { title: 'Pasta', description: 'd', tags: ['pasta'], privacy: 'private' }),
      'GET /pipeline/runs/r1/artifacts/quality.json': () => json(200, { ok: false, failed: ['stills'], loudness: { integrated_lufs: -14.1, true_peak_dbtp: -1.6, ok: true }, stills: { longest_sec: 9, ok: false } }),
      'PATCH /pipeline/runs/r1/metadata': () => json(422, { detail: [{ loc: ['body', 'publish_at'], msg: 'publish_at is in the past', type: 'datetime_parsing' }] }),
      'POST /pipeline/runs/r1/approve': () => json(202, detail()),
      'POST /pipeline/runs/r1/reject': () => json(202, detail()),
    });
    let decided = 0;
    render(<ReviewPanel detail={detail()} stages={STAGES} onChanged={() => undefined} onDecided={() => decided++} />);
    const title = (await screen.findByLabelText(/Title/)) as HTMLInputElement;
    await waitFor(() => expect(title.value).toBe('Pasta'));
    fireEvent.input(title, { target: { value: 'x'.repeat(101) } });
    expect(document.querySelector('.counter-over')).not.toBeNull();
    fireEvent.input(title, { target: { value: 'Pasta, edited' } });
    expect(document.querySelector('.counter-over')).toBeNull();
    expect(await screen.findByTestId('quality')).toHaveTextContent('longest still 9.0 s');
    expect(screen.getByTestId('review-history')).toHaveTextContent('Shorter intro');
    fireEvent.input(screen.getByLabelText('Publish at'), { target: { value: '2020-01-01T00:00:00Z' } });
    fireEvent.click(screen.getByTestId('save-metadata'));
    expect(await screen.findByText('publish_at is in the past')).toBeTruthy();
    fireEvent.click(screen.getByTestId('reject'));
    expect(await screen.findByText(/Write what to change/)).toBeTruthy();
    expect(api.calls.some((c) => c.path.endsWith('/reject'))).toBe(false);
    fireEvent.input(screen.getByLabelText('Notes for the agents'), { target: { value: 'Warmer intro' } });
    fireEvent.click(screen.getByTestId('reject'));
    await waitFor(() => expect(decided).toBe(1));
    const rej = api.calls.find((c) => c.path.endsWith('/reject'));
    expect(JSON.parse(String(rej?.init.body))).toEqual({ notes: 'Warmer intro', from_stage: 'script_writer' });
    fireEvent.click(screen.getByTestId('approve'));
    await waitFor(() => expect(decided).toBe(2));
  });

  it('shows the composed description and its credits, and counts the lines an edit removed', async () => {
    setKey('yaa_k');
    session.value = { key: 'yaa_k', scopes: { read: true, write: true, admin: false } };
    const line = '- Ann Lee on Pexels: https://www.pexels.com/video/1/';
    const described = `Quick pasta.\n\nFootage and photos:\n${line}`;
    const api = fakeApi({
      'GET /pipeline/runs/r1/metadata': () =>
        json(200, {
          title: 'Pasta', description: described, tags: [], privacy: 'private',
          credits: [{ source: 'pexels', author: 'Ann Lee', url: 'https://www.pexels.com/video/1/', id: '1', line }],
          credits_heading: 'Footage and photos:',
        }),
      'GET /pipeline/runs/r1/artifacts/quality.json': () => json(404, { detail: 'not found' }),
      'PATCH /pipeline/runs/r1/metadata': () => json(200, { title: 'Pasta', description: described, tags: [] }),
    });
    render(<ReviewPanel detail={detail()} stages={STAGES} onChanged={() => undefined} onDecided={() => undefined} />);
    const desc = (await screen.findByLabelText(/Description/)) as HTMLTextAreaElement;
    await waitFor(() => expect(desc.value).toBe(described));
    const credits = screen.getByTestId('credits');
    expect(credits).toHaveTextContent('Ann Lee');
    expect(credits.querySelector('a')?.getAttribute('href')).toBe('https://www.pexels.com/video/1/');
    const counter = () => desc.closest('.field')?.querySelector('[data-testid="counter"]')?.textContent ?? '';
    const size = new TextEncoder().encode(described).length;
    expect(counter()).toContain(`${size} / 5000`);
    // the reviewer deletes the credit lines: the upload keeps them, so the counter still counts them
    fireEvent.input(desc, { target: { value: 'Quick pasta.' } });
    expect(counter()).toContain(`${size} / 5000`);
    // a text too long once the credits are added turns the counter red
    fireEvent.input(desc, { target: { value: 'x'.repeat(5000 - 10) } });
    expect(desc.closest('.field')?.querySelector('.counter-over')).not.toBeNull();
    fireEvent.input(desc, { target: { value: 'Quick pasta, edited.' } });
    fireEvent.click(screen.getByTestId('save-metadata'));
    await waitFor(() => expect(api.calls.some((c) => c.method === 'PATCH')).toBe(true));
    const patch = api.calls.find((c) => c.method === 'PATCH');
    expect(JSON.parse(String(patch?.init.body)).description).toBe('Quick pasta, edited.');
    expect(JSON.parse(String(patch?.init.body))).not.toHaveProperty('credits');
  });
});
