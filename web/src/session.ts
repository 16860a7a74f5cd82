// session.ts - who is signed in: the API key and the scopes it was found to have. Scopes are
// probed through the public API (a read call, then an admin-only list), since the API has no
// "who am I" endpoint.
import { signal, computed } from '@preact/signals';
import { ApiError, api, loadKey, onUnauthorized, request, setKey } from './api';

export interface Scopes {
  read: boolean;
  write: boolean;
  admin: boolean;
}

export const session = signal<{ key: string; scopes: Scopes } | null>(null);
export const isAdmin = computed(() => !!session.value?.scopes.admin);
export const canWrite = computed(() => !!session.value?.scopes.write);

const SCOPES_STORAGE = 'yaa.scopes';

/** Probes what key may do. Throws ApiError(401) for a bad key, ApiError(403) for a key
 * that cannot even read. */
export async function probeScopes(key: string): Promise<Scopes> {
  await request('/dashboard/summary', { key, query: { limit: 1 } });
  let admin = false;
  try {
    await request('/admin/api-keys', { key });
    admin = true;
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 403 && e.status !== 401)) throw e;
  }
  // Write: cancelling a run that cannot exist answers 404 with the write scope, 403 without.
  let write = admin;
  if (!admin) {
    try {
      await request('/pipeline/runs/00000000-0000-4000-8000-000000000000/cancel', { key, method: 'POST' });
      write = true;
    } catch (e) {
      write = e instanceof ApiError && e.status !== 403 && e.status !== 401;
    }
  }
  return { read: true, write, admin };
}

export async function signIn(key: string): Promise<Scopes> {
  const scopes = await probeScopes(key);
  setKey(key);
  try {
    localStorage.setItem(SCOPES_STORAGE, JSON.stringify(scopes));
  } catch {
    /* no storage */
  }
  session.value = { key, scopes };
  syncWorkerKey(key);
  return scopes;
}

export function signOut(): void {
  setKey(null);
  try {
    localStorage.removeItem(SCOPES_STORAGE);
  } catch {
    /* no storage */
  }
  session.value = null;
  syncWorkerKey(null);
}

/** On load: restores the stored key and re-probes its scopes (a revoked key signs out). */
export async function restore(): Promise<void> {
  const key = loadKey();
  if (!key) return;
  try {
    const cached = localStorage.getItem(SCOPES_STORAGE);
    if (cached) session.value = { key, scopes: JSON.parse(cached) as Scopes };
  } catch {
    /* ignore */
  }
  syncWorkerKey(key);
  if (session.value) return; // a later 401 on any call signs out (see onUnauthorized)
  try {
    const scopes = await probeScopes(key);
    session.value = { key, scopes };
    localStorage.setItem(SCOPES_STORAGE, JSON.stringify(scopes));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) signOut();
  }
}

/** Why the last session ended (shown on the sign-in page). */
export const signedOutReason = signal<string | null>(null);

onUnauthorized(() => {
  if (session.value) {
    signedOutReason.value = 'err.401';
    signOut();
  }
});

/** Media elements cannot send headers: the service worker adds X-API-Key to artifact
 * requests (and keeps range requests intact). It learns the key from here. */
export function syncWorkerKey(key: string | null): void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready
    .then((reg) => reg.active?.postMessage({ type: 'yaa-key', key }))
    .catch(() => undefined);
}

export { api };
