// quality.test.tsx - the quality panel reads quality.json as yaa writes it: each part ok,
// failed or skipped with its figures, the failed parts named, and a run without a report.
import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/preact';
import { QualityPanel, QualityReportView } from '../src/components/quality';
import { setKey } from '../src/api';
import { setLang } from '../src/i18n';
import { fakeApi, json } from './fakeapi';

const report = {
  version: 1,
  ok: false,
  failed: ['metadata'],
  loudness: { integrated_lufs: -14.04, true_peak_dbtp: -2.96, lra: 1.5, ok: true },
  stills: { longest_sec: 0.92, stretches_over_limit: 0, limit_sec: 3, ok: true },
  captions: { words: 393, cues: 41, coverage: 1, overlaps: 0, words_in_their_cue: 0.99, ok: true },
  pictures: { status: 'skipped', why: 'media.json: missing' },
  metadata: { title_chars: 120, description_bytes: 899, tags_chars: 293, ok: false },
};

describe('quality panel', () => {
  it('shows each part with its figures and names what failed', () => {
    setLang('en');
    render(<QualityReportView report={report} />);
    const panel = screen.getByTestId('quality');
    expect(panel).toHaveTextContent('Failed: metadata');
    expect(panel.querySelector('[data-part="loudness"]')).toHaveTextContent('-14.0 LUFS (target −14 ± 1), true peak -3.0 dBTP');
    expect(panel.querySelector('[data-part="loudness"]')).toHaveClass('good');
    expect(panel.querySelector('[data-part="captions"]')).toHaveTextContent('cover 100% of speech, 0 overlaps, 99% of words');
    expect(panel.querySelector('[data-part="pictures"]')).toHaveTextContent('skipped (media.json: missing)');
    expect(panel.querySelector('[data-part="metadata"]')).toHaveClass('bad');
    expect(panel.querySelector('[data-part="metadata"]')).toHaveTextContent('title 120 characters');
  });

  it('fetches the run\'s report, and says when there is none', async () => {
    setLang('en');
    setKey('yaa_k');
    fakeApi({
      'GET /pipeline/runs/r1/artifacts/quality.json': () => json(200, { ...report, ok: true, failed: [] }),
      'GET /pipeline/runs/r2/artifacts/quality.json': () => json(404, { detail: 'no such artifact' }),
    });
    render(<QualityPanel runId="r1" />);
    expect(await screen.findByText('All checks pass.')).toBeInTheDocument();
    render(<QualityPanel runId="r2" />);
    expect(await screen.findByText(/No quality report/)).toBeInTheDocument();
  });
});
