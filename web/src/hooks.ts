// hooks.ts - data loading with loading/error state, abort on change, and polling.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { artifactUrl, currentKey, stageNames } from './api';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs fn(signal) when deps change (and every pollMs if given); keeps the last data while
 * reloading so the page does not flash. */
export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[], pollMs?: number): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    fnRef
      .current(ac.signal)
      .then((d) => {
        if (ac.signal.aborted) return;
        setData(d);
        setError(null);
        setLoading(false);
      })
      .catch((e) => {
        if (ac.signal.aborted || (e as Error)?.name === 'AbortError') return;
        setError(e);
        setLoading(false);
      });
    // Polling pauses while the tab is hidden (the API rate-limits per key).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = () => {
      if (typeof document !== 'undefined' && document.hidden) timer = setTimeout(poll, pollMs);
      else setTick((x) => x + 1);
    };
    if (pollMs) timer = setTimeout(poll, pollMs);
    return () => {
      ac.abort();
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick, pollMs]);
  const reload = useCallback(() => setTick((x) => x + 1), []);
  return { data, error, loading, reload };
}

/** The pipeline's stage names from the server (empty until known or if it cannot say). */
export function useStageNames(): string[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    stageNames()
      .then((n) => live && setNames(n))
      .catch(() => undefined); /* the run's own stage rows still show, in the server's order */
    return () => {
      live = false;
    };
  }, []);
  return names;
}

/** A URL a media element can load for a run's artifact: the direct URL when the service
 * worker adds the key header (range requests keep working), else a blob: URL fetched here. */
export function useArtifactSrc(runId: string, name: string, enabled = true): { src: string | null; error: number | null } {
  const [state, setState] = useState<{ src: string | null; error: number | null }>({ src: null, error: null });
  useEffect(() => {
    if (!enabled) return;
    const url = artifactUrl(runId, name);
    if (typeof navigator !== 'undefined' && navigator.serviceWorker?.controller) {
      setState({ src: url, error: null });
      return;
    }
    const ac = new AbortController();
    let objectUrl: string | null = null;
    const headers: Record<string, string> = {};
    const key = currentKey();
    if (key) headers['X-API-Key'] = key;
    fetch(url, { headers, signal: ac.signal })
      .then(async (r) => {
        if (!r.ok) {
          setState({ src: null, error: r.status });
          return;
        }
        objectUrl = URL.createObjectURL(await r.blob());
        setState({ src: objectUrl, error: null });
      })
      .catch(() => undefined);
    return () => {
      ac.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [runId, name, enabled]);
  return state;
}

/** Text of an artifact (script.md, metadata.json, publish.json). */
export async function fetchArtifactText(runId: string, name: string, signal?: AbortSignal): Promise<string | null> {
  const headers: Record<string, string> = {};
  const key = currentKey();
  if (key) headers['X-API-Key'] = key;
  const r = await fetch(artifactUrl(runId, name), { headers, signal });
  if (r.status === 404) return null;
  if (!r.ok) throw Object.assign(new Error(`HTTP ${r.status}`), { status: r.status });
  return r.text();
}

/** Re-renders every ms (for live durations). */
export function useNow(ms: number, active = true): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms, active]);
  return now;
}
