// mock-server.mjs - a development stand-in for `yaa serve` (NOT used by the CTest e2e test,
// which runs the real server): the public API of docs/CONTRACT.md in memory, a fake six-stage
// run with server-sent events, a small real MP4 made with ffmpeg, and web/dist with an SPA
// fallback. Usage: node e2e/mock-server.mjs [port] (admin key in $ADMIN_API_KEY).
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';

const STAGES = ['brand_researcher', 'script_writer', 'seo_optimizer', 'media_generator', 'media_editor', 'publisher'];
const dist = resolve(process.env.YAA_WEB_DIR ?? new URL('../dist', import.meta.url).pathname);
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export function startMock({ port = 0, adminKey = process.env.ADMIN_API_KEY ?? 'yaa_admin', stageMs = 700 } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'yaa-mock-'));
  const video = join(tmp, 'video.mp4');
  const thumb = join(tmp, 'thumb.png');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25:duration=6', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=6',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', video]);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=1280x720', '-frames:v', '1', thumb]);

  const keys = [{ key: adminKey, key_id: randomUUID(), name: 'admin', scopes: ['read', 'write', 'admin'], is_active: true, created_at: now(), expires_at: null, last_used_at: null }];
  const channels = new Map([
    ['tech_review_ko', { channel_id: 'tech_review_ko', name: '테크 리뷰', category: 'tech', has_brand_guide: true, description: '', language: 'ko', spend_month_usd: 1.2, budget: { monthly_usd: 20, per_run_usd: 2 } }],
    ['home_cooking_en', { channel_id: 'home_cooking_en', name: 'Home Cooking', category: 'food', has_brand_guide: true, description: '', language: 'en' }],
  ]);
  const runs = new Map();
  const usage = [];
  const audit = [];
  const subs = new Map();

  const publish = (id, event, data) => {
    for (const res of subs.get(id) ?? []) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  function execute(run) {
    let i = 0;
    run.status = 'running';
    const step = () => {
      if (run.status === 'cancelled') return;
      if (i > 0) {
        const prev = run.stages[i - 1];
        prev.status = 'done';
        prev.finished_at = now();
        publish(run.run_id, 'stage', { stage: prev.stage, status: 'done', elapsed_sec: stageMs / 1000 });
        usage.push({ run_id: run.run_id, channel_id: run.channel_id, agent: prev.stage, provider: 'offline', model: 'offline', prompt_tokens: 100 * i, completion_tokens: 50 * i, total_tokens: 150 * i, cost_usd: 0, created_at: now() });
      }
      if (i === STAGES.length) {
        run.status = 'completed';
        run.current_agent = null;
        run.completed_at = now();
        run.result = { output_dir: `/tmp/${run.run_id}`, artifacts: ['script.md', 'metadata.json', 'thumbnail.png', 'video.mp4', 'publish.json'] };
        publish(run.run_id, 'done', { status: 'completed', elapsed_sec: (stageMs * STAGES.length) / 1000 });
        for (const res of subs.get(run.run_id) ?? []) res.end();
        subs.delete(run.run_id);
        return;
      }
      const s = run.stages[i];
      s.status = 'running';
      s.started_at = now();
      run.current_agent = s.stage;
      publish(run.run_id, 'stage', { stage: s.stage, status: 'running' });
      publish(run.run_id, 'log', { stage: s.stage, message: `${s.stage}: working on “${run.topic}”` });
      i++;
      setTimeout(step, stageMs);
    };
    setTimeout(step, 300);
  }

  const summaryOf = (r) => ({ run_id: r.run_id, channel_id: r.channel_id, topic: r.topic, status: r.status, dry_run: r.dry_run, created_at: r.created_at, completed_at: r.completed_at });
  const group = (rows, by) => {
    const m = new Map();
    for (const u of rows) {
      const k = by === 'day' ? u.created_at.slice(0, 10) : by === 'run' ? u.run_id : by === 'channel' ? u.channel_id : u[by];
      const g = m.get(k) ?? { key: k, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0, events: 0 };
      g.prompt_tokens += u.prompt_tokens; g.completion_tokens += u.completion_tokens; g.total_tokens += u.total_tokens; g.cost_usd += u.cost_usd; g.events++;
      m.set(k, g);
    }
    return [...m.values()];
  };
  const totals = (rows) => group(rows, 'provider').reduce((a, g) => ({ prompt_tokens: a.prompt_tokens + g.prompt_tokens, completion_tokens: a.completion_tokens + g.completion_tokens, total_tokens: a.total_tokens + g.total_tokens, cost_usd: a.cost_usd + g.cost_usd, events: a.events + g.events }), { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0, events: 0 });

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname.replace(/\/$/, '') || '/';
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (path === '/health' || path === '/api/v1/health') return send(200, { status: 'ok', version: 'mock', database: 'ok', queue: 'ok' });
    if (path === '/openapi.json') return send(200, { openapi: '3.1.0', components: { schemas: { StageName: { type: 'string', enum: STAGES } } } });
    if (!path.startsWith('/api/v1/')) {
      let file = join(dist, path);
      if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html');
      const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
      res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
      return res.end(readFileSync(file));
    }
    const p = path.slice('/api/v1'.length);
    const key = keys.find((k) => k.key === req.headers['x-api-key'] && k.is_active);
    audit.unshift({ id: audit.length + 1, timestamp: now(), method: req.method, path, status_code: key ? 200 : 401, api_key_id: key?.key_id ?? null, ip_address: '127.0.0.1', duration_ms: 0.4 });
    if (!key) return send(401, { detail: 'missing or invalid API key' });
    const need = (s) => {
      if (key.scopes.includes(s) || key.scopes.includes('admin')) return true;
      send(403, { detail: `this key lacks the '${s}' scope` });
      return false;
    };
    let body = {};
    if (req.method === 'POST' || req.method === 'PATCH') {
      let raw = '';
      for await (const c of req) raw += c;
      try { body = raw ? JSON.parse(raw) : {}; } catch { return send(422, { detail: [{ loc: ['body'], msg: 'invalid JSON', type: 'json' }] }); }
    }
    let m;
    if (req.method === 'GET' && p === '/dashboard/summary') {
      const all = [...runs.values()].reverse();
      const done = all.filter((r) => r.completed_at && r.status === 'completed');
      return send(200, { total_runs: all.length, active_runs: all.filter((r) => ['pending', 'running'].includes(r.status)).length, success_runs: done.length, failed_runs: all.filter((r) => r.status === 'failed').length,
        avg_duration_sec: done.length ? done.reduce((a, r) => a + (Date.parse(r.completed_at) - Date.parse(r.created_at)) / 1000, 0) / done.length : null, estimated_cost_usd: 0, recent_runs: all.slice(0, Number(url.searchParams.get('limit') ?? 5)).map(summaryOf) });
    }
    if (req.method === 'GET' && p === '/pipeline/runs') {
      let all = [...runs.values()].reverse();
      const ch = url.searchParams.get('channel_id'); const st = url.searchParams.get('status');
      if (ch) all = all.filter((r) => r.channel_id === ch);
      if (st) all = all.filter((r) => r.status === st);
      const limit = Number(url.searchParams.get('limit') ?? 20); const offset = Number(url.searchParams.get('offset') ?? 0);
      return send(200, { runs: all.slice(offset, offset + limit).map(summaryOf), total: all.length, limit, offset });
    }
    if (req.method === 'POST' && p === '/pipeline/run') {
      if (!need('write')) return;
      const errs = [];
      if (typeof body.channel_id !== 'string' || !body.channel_id) errs.push({ loc: ['body', 'channel_id'], msg: 'field required', type: 'missing' });
      if (typeof body.topic !== 'string' || !body.topic.trim()) errs.push({ loc: ['body', 'topic'], msg: 'field required', type: 'missing' });
      if (errs.length) return send(422, { detail: errs });
      if (!channels.has(body.channel_id)) return send(404, { detail: `channel not found: ${body.channel_id}` });
      const run = { run_id: randomUUID(), channel_id: body.channel_id, topic: body.topic, brand_name: body.brand_name ?? '', dry_run: !!body.dry_run, status: 'pending', current_agent: null, created_at: now(), updated_at: now(), completed_at: null, result: null, errors: [],
        stages: STAGES.map((s) => ({ stage: s, status: 'pending', started_at: null, finished_at: null, error: null })) };
      runs.set(run.run_id, run);
      execute(run);
      return send(202, { run_id: run.run_id, status: 'pending', channel_id: run.channel_id, topic: run.topic });
    }
    if ((m = /^\/pipeline\/runs\/([^/]+)(\/.*)?$/.exec(p))) {
      const run = runs.get(m[1]);
      const rest = m[2] ?? '';
      if (req.method === 'POST' && rest === '/cancel') { if (!need('write')) return; if (!run) return send(404, { detail: 'run not found' }); if (['completed', 'failed', 'cancelled'].includes(run.status)) return send(409, { detail: 'already finished' }); run.status = 'cancelled'; run.completed_at = now(); publish(run.run_id, 'done', { status: 'cancelled' }); return send(202, { detail: 'cancelling' }); }
      if (!run) return send(404, { detail: 'run not found' });
      if (req.method === 'GET' && rest === '') return send(200, { ...run, cost_usd: usage.filter((u) => u.run_id === run.run_id).reduce((a, u) => a + u.cost_usd, 0) });
      if (req.method === 'GET' && rest === '/events') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        res.write(': connected\n\n');
        for (const s of run.stages) if (s.status !== 'pending') res.write(`event: stage\ndata: ${JSON.stringify({ stage: s.stage, status: s.status })}\n\n`);
        if (['completed', 'failed', 'cancelled'].includes(run.status)) { res.write(`event: done\ndata: ${JSON.stringify({ status: run.status })}\n\n`); return res.end(); }
        subs.set(run.run_id, [...(subs.get(run.run_id) ?? []), res]);
        req.on('close', () => subs.set(run.run_id, (subs.get(run.run_id) ?? []).filter((x) => x !== res)));
        return;
      }
      if (req.method === 'GET' && (m = /^\/artifacts\/(.+)$/.exec(rest))) {
        const name = decodeURIComponent(m[1]);
        if (name === 'script.md') { res.writeHead(200, { 'Content-Type': 'text/markdown; charset=utf-8' }); return res.end(`# ${run.topic}\n\n## Intro\n\nHello and welcome. **Today**: ${run.topic}.\n\n- point one\n- point two\n`); }
        if (name === 'script.json') return send(200, { title: run.topic, sections: [{ heading: 'Intro' }, { heading: 'Point' }, { heading: 'Outro' }] });
        if (name === 'metadata.json') return send(200, { title: run.topic, description: `All about ${run.topic}`, tags: ['yaa', 'demo'], category_id: '28', chapters: [{ time: '0:00', title: 'Intro' }] });
        if (name === 'publish.json') return send(200, { dry_run: true, request: { snippet: { title: run.topic } } });
        if (name === 'thumbnail.png' || name.startsWith('images/')) { res.writeHead(200, { 'Content-Type': 'image/png' }); return res.end(readFileSync(thumb)); }
        if (name === 'video.mp4') {
          const size = statSync(video).size;
          const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
          const data = readFileSync(video);
          if (range) {
            const a = Number(range[1]); const b = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
            res.writeHead(206, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', 'Content-Range': `bytes ${a}-${b}/${size}`, 'Content-Length': b - a + 1 });
            return res.end(data.subarray(a, b + 1));
          }
          res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', 'Content-Length': size });
          return res.end(data);
        }
        return send(404, { detail: 'artifact not found' });
      }
    }
    if (req.method === 'GET' && p === '/channels') return send(200, { channels: [...channels.values()], total: channels.size });
    if ((m = /^\/channels\/([^/]+)$/.exec(p))) {
      const c = channels.get(decodeURIComponent(m[1]));
      if (req.method === 'GET') return c ? send(200, c) : send(404, { detail: 'channel not found' });
      if (!need('admin')) return;
      if (!c) return send(404, { detail: 'channel not found' });
      if (req.method === 'PATCH') { Object.assign(c, body); return send(200, c); }
      if (req.method === 'DELETE') { channels.delete(c.channel_id); return send(200, { detail: 'deleted' }); }
    }
    if (req.method === 'POST' && p === '/channels') {
      if (!need('admin')) return;
      if (!/^[A-Za-z0-9_-]{1,100}$/.test(body.channel_id ?? '')) return send(422, { detail: [{ loc: ['body', 'channel_id'], msg: 'must match ^[A-Za-z0-9_-]{1,100}$', type: 'value_error' }] });
      if (channels.has(body.channel_id)) return send(409, { detail: `channel exists: ${body.channel_id}` });
      const c = { channel_id: body.channel_id, name: body.name, category: body.category ?? 'general', description: body.description ?? '', has_brand_guide: true, language: 'en' };
      channels.set(c.channel_id, c);
      return send(201, c);
    }
    if (req.method === 'GET' && (p === '/usage/summary' || p === '/usage')) {
      let rows = usage;
      for (const f of ['run_id', 'channel_id', 'agent', 'provider', 'model']) { const v = url.searchParams.get(f); if (v) rows = rows.filter((u) => u[f] === v); }
      return send(200, { totals: totals(rows), groups: group(rows, url.searchParams.get('group_by') ?? 'day') });
    }
    if (p === '/admin/api-keys' || p.startsWith('/admin/')) {
      if (!need('admin')) return;
      if (req.method === 'GET' && p === '/admin/api-keys') return send(200, { keys: keys.map(({ key: _k, ...rest }) => rest), total: keys.length });
      if (req.method === 'POST' && p === '/admin/api-keys') {
        if (!body.name) return send(422, { detail: [{ loc: ['body', 'name'], msg: 'field required', type: 'missing' }] });
        const k = { key: `yaa_${randomUUID().replace(/-/g, '')}mockmockmockm`, key_id: randomUUID(), name: body.name, scopes: body.scopes ?? ['read', 'write'], is_active: true, created_at: now(), expires_at: null, last_used_at: null };
        keys.push(k);
        return send(201, { api_key: k.key, key_id: k.key_id, name: k.name, scopes: k.scopes, created_at: k.created_at, expires_at: null });
      }
      if (req.method === 'DELETE' && (m = /^\/admin\/api-keys\/(.+)$/.exec(p))) {
        const k = keys.find((x) => x.key_id === m[1]);
        if (!k) return send(404, { detail: 'key not found' });
        if (k === key) return send(400, { detail: 'a key cannot revoke itself' });
        k.is_active = false;
        return send(200, { detail: 'revoked' });
      }
      if (req.method === 'GET' && p === '/admin/audit-logs') return send(200, { logs: audit.slice(0, 50), total: audit.length, limit: 50, offset: 0 });
    }
    return send(404, { detail: 'not found' });
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok({ server, port: server.address().port, adminKey })));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { port, adminKey } = await startMock({ port: Number(process.argv[2] ?? 8000) });
  console.log(`mock yaa on http://127.0.0.1:${port} (admin key ${adminKey})`);
}
