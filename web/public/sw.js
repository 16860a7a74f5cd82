// sw.js - the dashboard's service worker. <video> and <img> cannot send the X-API-Key
// header, so this worker adds it to requests for run artifacts (keeping Range headers, so
// the browser still streams video with range requests). The page tells it the key.
const ARTIFACT = /^\/api\/v1\/pipeline\/runs\/[^/]+\/artifacts\//;
const STORE = 'yaa-sw';
let key = null;

async function loadKey() {
  if (key) return key;
  try {
    const c = await caches.open(STORE);
    const r = await c.match('/__yaa_key');
    key = r ? await r.text() : null;
  } catch {
    key = null;
  }
  return key;
}

async function saveKey(k) {
  key = k;
  try {
    const c = await caches.open(STORE);
    if (k) await c.put('/__yaa_key', new Response(k));
    else await c.delete('/__yaa_key');
  } catch {
    /* storage unavailable: memory only */
  }
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('message', (e) => {
  const d = e.data || {};
  if (d.type === 'yaa-key') e.waitUntil(saveKey(d.key || null));
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (url.origin !== self.location.origin || !ARTIFACT.test(url.pathname)) return;
  if (e.request.method !== 'GET' || e.request.headers.has('X-API-Key')) return;
  e.respondWith(
    loadKey().then((k) => {
      const headers = new Headers(e.request.headers);
      if (k) headers.set('X-API-Key', k);
      return fetch(e.request.url, { headers, credentials: 'same-origin', cache: 'no-store' });
    }),
  );
});
