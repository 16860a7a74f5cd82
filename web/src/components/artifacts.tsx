// artifacts.tsx - a run's outputs in tabs: script (rendered markdown), SEO metadata, images,
// the video (a <video> that streams with range requests), thumbnail and publish result.
// A tab loads its file only once the stage that makes it is done (no needless 404s).
import { useState } from 'preact/hooks';
import { artifactUrl } from '../api';
import { t } from '../i18n';
import { fetchArtifactText, useArtifactSrc, useAsync } from '../hooks';
import { renderMarkdown } from '../markdown';
import type { RunDetail, StageView } from '../types';
import { Card, Empty, ErrorBox, Loading, Tabs } from './ui';

const TAB_STAGE: Record<string, string> = {
  script: 'script_writer',
  seo: 'seo_optimizer',
  images: 'media_generator',
  video: 'media_editor',
  thumbnail: 'media_generator',
  publish: 'publisher',
};

/** Every images/NN.png named anywhere in the run's result (the server's result object is
 * free-form; paths may be absolute). */
export function imageNames(result: unknown): string[] {
  const found = new Set<string>();
  const walk = (v: unknown, depth: number) => {
    if (depth > 6 || v === null || v === undefined) return;
    if (typeof v === 'string') {
      const m = /(?:^|\/)(images\/[A-Za-z0-9_.-]+\.(?:png|jpe?g|webp))$/.exec(v);
      if (m) found.add(m[1]);
      return;
    }
    if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (typeof v === 'object') Object.values(v as Record<string, unknown>).forEach((x) => walk(x, depth + 1));
  };
  walk(result, 0);
  return [...found].sort();
}

function TextArtifact({ runId, name, render }: { runId: string; name: string; render: (text: string) => preact.ComponentChildren }) {
  const a = useAsync((s) => fetchArtifactText(runId, name, s), [runId, name]);
  if (a.error) return <ErrorBox error={a.error} onRetry={a.reload} />;
  if (a.data === undefined) return <Loading />;
  if (a.data === null) return <Empty>{t('art.missing')}</Empty>;
  return <>{render(a.data)}</>;
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function Seo({ text }: { text: string }) {
  const m = parseJson(text);
  if (!m) return <pre class="code">{text}</pre>;
  const tags = Array.isArray(m.tags) ? (m.tags as unknown[]).map(String) : [];
  const chapters = Array.isArray(m.chapters) ? (m.chapters as Record<string, unknown>[]) : [];
  return (
    <div class="seo" data-testid="seo">
      <dl class="kv stacked">
        <div>
          <dt>{t('seo.title')}</dt>
          <dd class="seo-title">{String(m.title ?? '—')}</dd>
        </div>
        <div>
          <dt>{t('seo.description')}</dt>
          <dd class="prewrap">{String(m.description ?? '—')}</dd>
        </div>
        {tags.length > 0 && (
          <div>
            <dt>{t('seo.tags')}</dt>
            <dd class="tags">
              {tags.map((x) => (
                <span key={x} class="tag">
                  {x}
                </span>
              ))}
            </dd>
          </div>
        )}
        {chapters.length > 0 && (
          <div>
            <dt>{t('seo.chapters')}</dt>
            <dd>
              <ol class="chapters">
                {chapters.map((c, i) => (
                  <li key={i}>
                    <span class="mono">{String(c.time ?? c.timestamp ?? c.start ?? '')}</span> {String(c.title ?? c.name ?? '')}
                  </li>
                ))}
              </ol>
            </dd>
          </div>
        )}
        {m.category_id !== undefined && (
          <div>
            <dt>{t('seo.category')}</dt>
            <dd>{String(m.category_id)}</dd>
          </div>
        )}
      </dl>
    </div>
  );
}

function Img({ runId, name, alt }: { runId: string; name: string; alt: string }) {
  const { src, error } = useArtifactSrc(runId, name);
  if (error) return <Empty>{t('art.missing')}</Empty>;
  if (!src) return <Loading />;
  return <img src={src} alt={alt} loading="lazy" decoding="async" />;
}

/** One card image per script section (images/01.png, …), plus any named in the result. */
function Gallery({ runId, result }: { runId: string; result: unknown }) {
  const script = useAsync((s) => fetchArtifactText(runId, 'script.json', s).catch(() => null), [runId]);
  if (script.data === undefined) return <Loading />;
  const names = new Set(imageNames(result));
  const parsed = script.data ? parseJson(script.data) : null;
  const sections = parsed && Array.isArray(parsed.sections) ? parsed.sections.length : 0;
  for (let i = 1; i <= Math.min(sections, 99); i++) names.add(`images/${String(i).padStart(2, '0')}.png`);
  const list = [...names].sort();
  if (list.length === 0) return <Empty>{t('art.noImages')}</Empty>;
  return (
    <div class="gallery" data-testid="gallery">
      {list.map((n, i) => (
        <figure key={n}>
          <Img runId={runId} name={n} alt={`${t('tab.images')} ${i + 1}`} />
          <figcaption class="mono">{n}</figcaption>
        </figure>
      ))}
    </div>
  );
}

function Video({ runId }: { runId: string }) {
  const { src, error } = useArtifactSrc(runId, 'video.mp4');
  if (error) return <Empty>{t('art.missing')}</Empty>;
  if (!src) return <Loading />;
  return (
    <div class="video-wrap">
      <video src={src} controls preload="metadata" playsInline data-testid="video" aria-label={t('tab.video')} />
      {navigator.serviceWorker?.controller && (
        <p class="hint">
          <a href={artifactUrl(runId, 'subtitles.srt')} download>
            subtitles.srt
          </a>
        </p>
      )}
    </div>
  );
}

export function Artifacts({ detail, views }: { detail: RunDetail; views: StageView[] }) {
  const [tab, setTab] = useState('script');
  const done = (stage: string) => views.some((v) => v.stage === stage && v.status === 'done');
  const tabs = [
    { id: 'script', label: t('tab.script') },
    { id: 'seo', label: t('tab.seo') },
    { id: 'images', label: t('tab.images') },
    { id: 'video', label: t('tab.video') },
    { id: 'thumbnail', label: t('tab.thumbnail') },
    { id: 'publish', label: t('tab.publish') },
  ];
  const ready = done(TAB_STAGE[tab]);
  const id = detail.run_id;
  let body: preact.ComponentChildren;
  if (!ready) body = <Empty>{t('run.notFinished')}</Empty>;
  else if (tab === 'script')
    body = <TextArtifact runId={id} name="script.md" render={(s) => <article class="markdown" data-testid="script" dangerouslySetInnerHTML={{ __html: renderMarkdown(s) }} />} />;
  else if (tab === 'seo') body = <TextArtifact runId={id} name="metadata.json" render={(s) => <Seo text={s} />} />;
  else if (tab === 'images') body = <Gallery runId={id} result={detail.result} />; else if (tab === 'video') body = <Video runId={id} />;
  else if (tab === 'thumbnail')
    body = (
      <div class="thumb" data-testid="thumbnail">
        <Img runId={id} name="thumbnail.png" alt={t('tab.thumbnail')} />
      </div>
    );
  else
    body = (
      <TextArtifact
        runId={id}
        name="publish.json"
        render={(s) => {
          const p = parseJson(s);
          const url = p && typeof p.url === 'string' ? p.url : p && typeof p.video_url === 'string' ? p.video_url : null;
          return (
            <div data-testid="publish">
              {url && /^https?:/.test(url) && (
                <p>
                  <a href={url} target="_blank" rel="noopener noreferrer">
                    {url}
                  </a>
                </p>
              )}
              <pre class="code">{p ? JSON.stringify(p, null, 2) : s}</pre>
            </div>
          );
        }}
      />
    );
  return (
    <Card title={t('run.artifacts')} id="artifacts">
      <Tabs tabs={tabs} active={tab} onChange={setTab} label={t('run.artifacts')}>
        {body}
      </Tabs>
    </Card>
  );
}
