// format.ts - numbers, money, durations and times for display, in the UI language.
import { locale } from './i18n';

export function fmtInt(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return new Intl.NumberFormat(locale()).format(Math.round(n));
}

export function fmtUsd(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  const digits = n !== 0 && Math.abs(n) < 0.01 ? 4 : 2;
  return new Intl.NumberFormat('en-US', {
    style: 'currency', currency: 'USD', minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(n);
}

export function fmtDuration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || Number.isNaN(sec)) return '—';
  if (sec < 0) sec = 0;
  if (sec < 10) return `${sec.toFixed(1)}s`;
  if (sec < 60) return `${Math.round(sec)}s`;
  const m = Math.floor(sec / 60);
  const s = Math.round(sec % 60);
  if (m < 60) return `${m}m ${String(s).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

export function parseTime(s: string | null | undefined): number | null {
  if (!s) return null;
  const v = Date.parse(s);
  return Number.isNaN(v) ? null : v;
}

export function secondsBetween(a: string | null | undefined, b: string | null | undefined): number | null {
  const x = parseTime(a);
  const y = parseTime(b);
  if (x === null || y === null) return null;
  return (y - x) / 1000;
}

export function fmtTime(s: string | null | undefined): string {
  const v = parseTime(s);
  if (v === null) return '—';
  return new Intl.DateTimeFormat(locale(), {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hour12: false,
  }).format(new Date(v));
}

export function fmtRelative(s: string | null | undefined, now = Date.now()): string {
  const v = parseTime(s);
  if (v === null) return '—';
  const diff = Math.round((v - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  const a = Math.abs(diff);
  if (a < 60) return rtf.format(diff, 'second');
  if (a < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (a < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86400), 'day');
}

/** YYYY-MM-DD of a Date in UTC (the API's days are UTC). */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}
