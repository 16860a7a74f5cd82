// usage.tsx - spend and tokens over a date range: by day (chart), by agent, model, channel
// and provider (tables with inline bars).
import { useState } from 'preact/hooks';
import { api } from '../api';
import { UsageChart, type DayPoint } from '../components/chart';
import { AsyncView, Card, Empty, ErrorBox, Loading, Stat } from '../components/ui';
import { fmtInt, fmtUsd, isoDay } from '../format';
import { useAsync } from '../hooks';
import { t } from '../i18n';
import { queryParams, route, setQuery } from '../router';
import type { UsageGroup, UsageSummary } from '../types';

function defaultRange(): [string, string] {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86400000);
  return [isoDay(from), isoDay(to)];
}

/** One point per day from..to (inclusive), zero where the API has no group. */
export function fillDays(groups: UsageGroup[], from: string, to: string, metric: 'tokens' | 'events' = 'tokens'): DayPoint[] {
  const by = new Map(groups.map((g) => [String(g.key ?? '').slice(0, 10), g]));
  const out: DayPoint[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let d = Date.parse(`${from}T00:00:00Z`); d <= end && out.length < 400; d += 86400000) {
    const day = isoDay(new Date(d));
    const g = by.get(day);
    out.push({ day, cost: g?.cost_usd ?? 0, tokens: (metric === 'tokens' ? g?.total_tokens : g?.events) ?? 0 });
  }
  return out;
}

function GroupTable({ title, data, id }: { title: string; data: UsageSummary | undefined; id: string }) {
  const groups = [...(data?.groups ?? [])].sort((a, b) => b.cost_usd - a.cost_usd || b.total_tokens - a.total_tokens);
  const max = Math.max(0, ...groups.map((g) => g.cost_usd));
  const maxTok = Math.max(0, ...groups.map((g) => g.total_tokens));
  const maxEv = Math.max(0, ...groups.map((g) => g.events));
  return (
    <Card title={title} id={id}>
      <AsyncView state={{ data, error: null }} isEmpty={() => groups.length === 0} empty={t('usage.empty')}>
        {() => (
          <table class="table" data-testid={id}>
            <thead>
              <tr>
                <th scope="col">{t('usage.key')}</th>
                <th scope="col" class="num">{t('usage.events')}</th>
                <th scope="col" class="num">{t('usage.tokens')}</th>
                <th scope="col" class="num">{t('usage.cost')}</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => {
                const pct = max > 0 ? (g.cost_usd / max) * 100 : maxTok > 0 ? (g.total_tokens / maxTok) * 100 : maxEv > 0 ? (g.events / maxEv) * 100 : 0;
                return (
                  <tr key={g.key ?? '-'}>
                    <td>
                      <div class="bar-cell">
                        <span>{g.key ?? '—'}</span>
                        <span class="bar" style={{ width: `${pct}%` }} aria-hidden="true" />
                      </div>
                    </td>
                    <td class="num">{fmtInt(g.events)}</td>
                    <td class="num">{fmtInt(g.total_tokens)}</td>
                    <td class="num">{fmtUsd(g.cost_usd)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </AsyncView>
    </Card>
  );
}

export function UsagePage() {
  void route.value;
  const q = queryParams();
  const [dFrom, dTo] = defaultRange();
  const from = q.get('from') ?? dFrom;
  const to = q.get('to') ?? dTo;
  const [fromIn, setFromIn] = useState(from);
  const [toIn, setToIn] = useState(to);
  const range = { from: `${from}T00:00:00Z`, to: `${to}T23:59:59Z` };
  const byDay = useAsync((s) => api.usageSummary({ ...range, group_by: 'day' }, s), [from, to]);
  const byAgent = useAsync((s) => api.usageSummary({ ...range, group_by: 'agent' }, s), [from, to]);
  const byModel = useAsync((s) => api.usageSummary({ ...range, group_by: 'model' }, s), [from, to]);
  const byChannel = useAsync((s) => api.usageSummary({ ...range, group_by: 'channel' }, s), [from, to]);
  const byProvider = useAsync((s) => api.usageSummary({ ...range, group_by: 'provider' }, s), [from, to]);
  const err = byDay.error || byAgent.error || byModel.error || byChannel.error;
  const totals = byDay.data?.totals;
  const rangeBad = fromIn > toIn;

  return (
    <div class="page">
      <div class="page-head">
        <h1>{t('usage.title')}</h1>
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            if (!rangeBad) setQuery({ from: fromIn, to: toIn });
          }}
        >
          <div class="field inline">
            <label for="u-from">{t('usage.from')}</label>
            <input id="u-from" type="date" value={fromIn} max={toIn} onInput={(e) => setFromIn((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field inline">
            <label for="u-to">{t('usage.to')}</label>
            <input id="u-to" type="date" value={toIn} min={fromIn} onInput={(e) => setToIn((e.target as HTMLInputElement).value)} />
          </div>
          <button type="submit" class="btn btn-sm" disabled={rangeBad}>
            {t('common.apply')}
          </button>
        </form>
      </div>
      {err ? <ErrorBox error={err} onRetry={() => [byDay, byAgent, byModel, byChannel, byProvider].forEach((x) => x.reload())} /> : null}
      <div class="stats">
        <Stat label={t('usage.totalCost')} value={totals ? fmtUsd(totals.cost_usd) : '…'} />
        <Stat label={t('usage.totalTokens')} value={totals ? fmtInt(totals.total_tokens) : '…'} />
        <Stat label={t('usage.totalEvents')} value={totals ? fmtInt(totals.events) : '…'} />
      </div>
      <Card title={byDay.data && byDay.data.totals.total_tokens === 0 && byDay.data.totals.events > 0 ? t('usage.byDayCalls') : t('usage.byDay')} id="by-day">
        {!byDay.data ? (
          byDay.error ? null : <Loading />
        ) : byDay.data.groups.length === 0 ? (
          <Empty>{t('usage.empty')}</Empty>
        ) : (
          // Token-free usage (the offline provider, TTS, cards) is charted as calls instead.
          <UsageChart
            points={fillDays(byDay.data.groups, from, to, byDay.data.totals.total_tokens > 0 ? 'tokens' : 'events')}
            costLabel={t('usage.cost')}
            tokensLabel={byDay.data.totals.total_tokens > 0 ? t('usage.tokens') : t('usage.events')}
          />
        )}
        {byDay.data && byDay.data.groups.length > 0 && (
          <details class="as-table">
            <summary>{t('usage.asTable')}</summary>
            <table class="table dense">
              <thead>
                <tr>
                  <th scope="col">{t('usage.day')}</th>
                  <th scope="col" class="num">{t('usage.events')}</th>
                  <th scope="col" class="num">{t('usage.tokens')}</th>
                  <th scope="col" class="num">{t('usage.cost')}</th>
                </tr>
              </thead>
              <tbody>
                {[...byDay.data.groups].sort((a, b) => String(a.key).localeCompare(String(b.key))).map((g) => (
                  <tr key={g.key ?? '-'}>
                    <td class="mono">{g.key ?? '—'}</td>
                    <td class="num">{fmtInt(g.events)}</td>
                    <td class="num">{fmtInt(g.total_tokens)}</td>
                    <td class="num">{fmtUsd(g.cost_usd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        )}
      </Card>
      <div class="grid-2">
        <GroupTable title={t('usage.byAgent')} data={byAgent.data} id="by-agent" />
        <GroupTable title={t('usage.byModel')} data={byModel.data} id="by-model" />
        <GroupTable title={t('usage.byChannel')} data={byChannel.data} id="by-channel" />
        <GroupTable title={t('usage.byProvider')} data={byProvider.data} id="by-provider" />
      </div>
    </div>
  );
}
