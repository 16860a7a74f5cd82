// chart.tsx - spend (bars) and tokens (line) by day with uPlot, sized to its container.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fmtInt, fmtUsd } from '../format';

export interface DayPoint {
  day: string; // YYYY-MM-DD (UTC)
  cost: number;
  tokens: number;
}

const AXIS = { stroke: '#9aa4b5', grid: { stroke: 'rgba(255,255,255,0.06)' }, ticks: { stroke: 'rgba(255,255,255,0.1)' } };

export function UsageChart({ points, costLabel, tokensLabel }: { points: DayPoint[]; costLabel: string; tokensLabel: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const xs = points.map((p) => Date.parse(`${p.day}T00:00:00Z`) / 1000);
    const data: uPlot.AlignedData = [xs, points.map((p) => p.cost), points.map((p) => p.tokens)];
    const width = Math.max(300, el.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 240,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        cursor: { drag: { x: false, y: false } },
        legend: { show: true },
        scales: { x: { time: true }, usd: { auto: true, range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] }, tok: { auto: true, range: (_u, _min, max) => [0, Math.max(5, max * 1.15)] } },
        axes: [
          { ...AXIS, values: (_u, v) => v.map((s) => new Date(s * 1000).toISOString().slice(5, 10)) },
          { ...AXIS, scale: 'usd', values: (_u, v) => v.map((x) => fmtUsd(x)), size: 70 },
          { ...AXIS, scale: 'tok', side: 1, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7], values: (_u, v) => v.map((x) => fmtInt(x)), size: 70, grid: { show: false } },
        ],
        series: [
          { label: 'day', value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toISOString().slice(0, 10)) },
          {
            label: costLabel,
            scale: 'usd',
            stroke: '#5eead4',
            fill: 'rgba(94,234,212,0.35)',
            paths: uPlot.paths.bars!({ size: [0.6, 40] }),
            points: { show: false },
            value: (_u, v) => (v == null ? '—' : fmtUsd(v)),
          },
          {
            label: tokensLabel,
            scale: 'tok',
            stroke: '#a78bfa',
            width: 2,
            points: { show: true, size: 5 },
            value: (_u, v) => (v == null ? '—' : fmtInt(v)),
          },
        ],
      },
      data,
      el,
    );
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(300, el.clientWidth), height: 240 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [points, costLabel, tokensLabel]);
  return <div ref={box} class="chart" data-testid="usage-chart" role="img" aria-label={`${costLabel} / ${tokensLabel}`} />;
}
