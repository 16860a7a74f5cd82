// main.tsx - entry: restores the session, registers the artifact service worker, renders.
import { render } from 'preact';
import { App } from './app';
import { lang } from './i18n';
import { restore, syncWorkerKey } from './session';
import { currentKey } from './api';
import './styles.css';

document.documentElement.lang = lang.value;

if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker
    .register('/sw.js', { scope: '/' })
    .then(() => navigator.serviceWorker.ready)
    .then(() => syncWorkerKey(currentKey()))
    .catch(() => undefined); // without it, artifacts are fetched as blobs
}

restore().finally(() => render(<App />, document.getElementById('app')!));
