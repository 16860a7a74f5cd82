import { describe, expect, it } from 'vitest';
import { ApiError, api, fieldErrors, setKey, withQuery } from '../src/api';
import { fakeApi, json } from './fakeapi';

describe('api client', () => {
  it('sends the X-API-Key header under /api/v1 and drops empty query values', async () => {
    setKey('yaa_test');
    const { calls } = fakeApi({ 'GET /pipeline/runs': () => json(200, { runs: [], total: 0, limit: 20, offset: 0 }) });
    await api.runs({ channel_id: '', status: 'failed', limit: 20, offset: 0 });
    expect(calls[0].url.pathname).toBe('/api/v1/pipeline/runs');
    expect(calls[0].url.search).toBe('?status=failed&limit=20&offset=0');
    expect((calls[0].init.headers as Record<string, string>)['X-API-Key']).toBe('yaa_test');
  });

  it('turns an error body into ApiError with status and detail', async () => {
    fakeApi({ 'GET /channels/x': () => json(404, { detail: 'channel not found: x' }) });
    const err = await api.channel('x').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
    expect(err.detail).toBe('channel not found: x');
  });

  it('maps a 422 detail list to per-field messages', async () => {
    fakeApi({
      'POST /pipeline/run': () =>
        json(422, { detail: [{ loc: ['body', 'topic'], msg: 'field required', type: 'missing' }, { loc: ['body', 'channel_id'], msg: 'too long', type: 'x' }] }),
    });
    const err = await api.startRun({}).catch((e) => e);
    expect(fieldErrors(err)).toEqual({ topic: 'field required', channel_id: 'too long' });
    expect(err.message).toContain('topic: field required');
  });

  it('builds query strings', () => {
    expect(withQuery('/x', { a: 1, b: '', c: null, d: true })).toBe('/x?a=1&d=true');
  });
});
