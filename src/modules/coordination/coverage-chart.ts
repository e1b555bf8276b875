import * as echarts from 'echarts';
import type { CoverageFigures } from './coverage.service';

export const CHART_WIDTH = 1600;
export const CHART_HEIGHT = 900;

export const DECLARED_SERIES = 'Declared needs (USD)';
export const COVERED_SERIES = 'Covered by commitments (USD)';
const DECLARED_COLOUR = '#5b7fa6';
const COVERED_COLOUR = '#e08a2c';
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

/** 1234567 → "1.23M", 45000 → "45k", 950 → "950": short enough to sit at the end of a bar. */
export function compactUsd(value: number): string {
  const abs = Math.abs(value);
  const trim = (n: number) => String(Number(n.toFixed(2)));
  if (abs >= 1e9) return `${trim(value / 1e9)}B`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k`;
  return trim(value);
}

interface Bars {
  labels: string[];
  declared: number[];
  covered: number[];
}

const MAX_BARS = 12;

function bars(rows: { label: string; declaredUsd: number; committedUsd: number }[]): Bars {
  // Horizontal bars are drawn bottom-up: reverse so the first row sits at the top.
  const shown = rows.slice(0, MAX_BARS).reverse();
  return {
    labels: shown.map((r) => r.label),
    declared: shown.map((r) => r.declaredUsd),
    covered: shown.map((r) => r.committedUsd),
  };
}

const wrap = (text: string, width = 26) => {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  for (const w of words) {
    const last = lines[lines.length - 1];
    if (last !== undefined && `${last} ${w}`.length <= width)
      lines[lines.length - 1] = `${last} ${w}`;
    else lines.push(w);
  }
  return lines.slice(0, 2).join('\n');
};

/**
 * Declared needs against what commitments cover (USD), by region and by control-area series,
 * side by side, for a coordination-meeting slide: a title naming the slice, a legend, axis
 * names and each bar's value. Drawn by Apache ECharts' server-side SVG renderer.
 */
export function renderCoverageChart(
  figures: CoverageFigures,
  meta: { slice: string; generatedOn: string },
): string {
  const regions = bars(
    figures.byRegion.map((r) => ({
      label: r.name,
      declaredUsd: r.declaredUsd,
      committedUsd: r.committedUsd,
    })),
  );
  const areas = bars(
    figures.byArea.map((a) => ({
      label: wrap(`${a.code} ${a.title}`),
      declaredUsd: a.declaredUsd,
      committedUsd: a.committedUsd,
    })),
  );
  const t = figures.totals;
  const label = {
    show: true,
    position: 'right' as const,
    fontSize: 15,
    fontFamily: FONT,
    color: '#222',
    formatter: (p: { value: unknown }) => compactUsd(Number(p.value)),
  };
  const valueAxis = (gridIndex: number) => ({
    type: 'value' as const,
    gridIndex,
    name: 'USD',
    nameLocation: 'middle' as const,
    nameGap: 32,
    nameTextStyle: { fontSize: 16, fontFamily: FONT, color: '#333' },
    axisLabel: {
      fontSize: 14,
      fontFamily: FONT,
      formatter: (v: number) => compactUsd(v),
    },
    splitLine: { lineStyle: { color: '#e4e4e4' } },
  });
  const categoryAxis = (gridIndex: number, data: string[], name: string) => ({
    type: 'category' as const,
    gridIndex,
    data,
    name,
    nameLocation: 'end' as const,
    nameGap: 14,
    nameTextStyle: { fontSize: 16, fontFamily: FONT, color: '#333', fontWeight: 'bold' as const },
    axisLabel: { fontSize: 14, fontFamily: FONT, color: '#222', interval: 0 },
    axisTick: { alignWithLabel: true },
  });
  const series = (name: string, colour: string, data: number[], index: number) => ({
    name,
    type: 'bar' as const,
    xAxisIndex: index,
    yAxisIndex: index,
    data,
    barGap: '10%',
    barMaxWidth: 28,
    itemStyle: { color: colour },
    label,
  });
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
  });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: FONT },
      title: [
        {
          text: 'Assistance needs declared and covered (USD)',
          subtext: `${meta.slice} · ${t.needsDeclared} needs declared, USD ${compactUsd(t.declaredUsd)}; committed USD ${compactUsd(t.committedUsd)}; gap USD ${compactUsd(t.gapUsd)} · ${meta.generatedOn}`,
          left: 'center',
          top: 18,
          textStyle: { fontSize: 28, fontFamily: FONT, color: '#111' },
          subtextStyle: { fontSize: 16, fontFamily: FONT, color: '#444' },
        },
        {
          text: 'By region',
          left: '4%',
          top: 120,
          textStyle: { fontSize: 20, fontFamily: FONT, color: '#111' },
        },
        {
          text: 'By control area (MOSAIC series)',
          left: '53%',
          top: 120,
          textStyle: { fontSize: 20, fontFamily: FONT, color: '#111' },
        },
      ],
      legend: {
        data: [DECLARED_SERIES, COVERED_SERIES],
        top: 90,
        left: 'center',
        itemGap: 56,
        itemWidth: 26,
        itemHeight: 16,
        textStyle: { fontSize: 16, fontFamily: FONT, color: '#222' },
      },
      graphic: t.needsDeclared
        ? []
        : [
            {
              type: 'text',
              left: 'center',
              top: 'middle',
              style: {
                text: 'No declared needs in this slice',
                fontSize: 24,
                fontFamily: FONT,
                fill: '#666',
              },
            },
          ],
      grid: [
        { left: '11%', right: '54%', top: 190, bottom: 80 },
        { left: '67%', right: '5%', top: 190, bottom: 80 },
      ],
      xAxis: [valueAxis(0), valueAxis(1)],
      yAxis: [categoryAxis(0, regions.labels, 'Region'), categoryAxis(1, areas.labels, 'Area')],
      series: [
        series(DECLARED_SERIES, DECLARED_COLOUR, regions.declared, 0),
        series(COVERED_SERIES, COVERED_COLOUR, regions.covered, 0),
        series(DECLARED_SERIES, DECLARED_COLOUR, areas.declared, 1),
        series(COVERED_SERIES, COVERED_COLOUR, areas.covered, 1),
      ],
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
