/**
 * Renders the coverage chart of a small demo world to docs/coverage-chart.png (and .svg with
 * --svg), for the README: the same renderer the API serves at
 * GET /api/v1/coordination/charts/coverage.svg, rasterised with resvg.
 *
 *   node -r ts-node/register/transpile-only scripts/render-coverage-chart.ts [out.png] [--svg]
 *
 * The demo figures are a coordination-meeting-sized world: needs from four regions across
 * five control-area series, partly covered by three donors. Figures are made up for the
 * picture; the e2e suite (test/e2e/coordination.e2e-spec.ts) checks the real computation.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { renderCoverageChart } from '../src/modules/coordination/coverage-chart';
import type { CoverageFigures } from '../src/modules/coordination/coverage.service';
import type { CoverageFiguresDto } from '../src/modules/coordination/dto/coverage.dto';

/** Figures of a group of needs from (declared, committed) per need. */
function figures(
  needs: [declared: number, committed: number, published?: boolean][],
): CoverageFiguresDto {
  const pub = needs.filter(([, , p]) => p !== false);
  const covered = pub.filter(([d, c]) => c >= d);
  const unmet = pub.filter(([d, c]) => c < d);
  const sum = (rows: typeof needs, f: (r: (typeof needs)[number]) => number) =>
    rows.reduce((s, r) => s + f(r), 0);
  return {
    needsDeclared: needs.length,
    needsPublished: pub.length,
    needsCovered: covered.length,
    needsUnmet: unmet.length,
    declaredUsd: sum(needs, ([d]) => d),
    publishedUsd: sum(pub, ([d]) => d),
    coveredUsd: sum(covered, ([d]) => d),
    unmetUsd: sum(unmet, ([d]) => d),
    committedUsd: sum(needs, ([, c]) => c),
    gapUsd: sum(needs, ([d, c]) => Math.max(0, d - c)),
  };
}

const regions: [string, string, [number, number, boolean?][]][] = [
  [
    '002',
    'Africa',
    [
      [420000, 300000],
      [260000, 260000],
      [180000, 40000],
      [150000, 0, false],
    ],
  ],
  [
    '019',
    'Americas',
    [
      [310000, 120000],
      [90000, 90000],
      [75000, 0],
    ],
  ],
  [
    '142',
    'Asia',
    [
      [240000, 60000],
      [130000, 0],
    ],
  ],
  [
    '150',
    'Europe',
    [
      [110000, 110000],
      [60000, 25000],
    ],
  ],
  ['009', 'Oceania', [[45000, 0]]],
];
const areas: [string, string, [number, number, boolean?][]][] = [
  [
    '02',
    'SALW control in context',
    [
      [130000, 0],
      [60000, 25000],
    ],
  ],
  [
    '03',
    'Legislative and regulatory',
    [
      [310000, 120000],
      [90000, 90000],
    ],
  ],
  [
    '04',
    'Design and management',
    [
      [150000, 0, false],
      [75000, 0],
      [45000, 0],
    ],
  ],
  [
    '05',
    'Operational support',
    [
      [420000, 300000],
      [260000, 260000],
      [240000, 60000],
      [110000, 110000],
    ],
  ],
  ['06', 'Cross-cutting', [[180000, 40000]]],
];

export const DEMO_FIGURES: CoverageFigures = {
  totals: figures(regions.flatMap(([, , needs]) => needs)),
  byRegion: regions
    .map(([code, name, needs]) => ({ code, name, ...figures(needs) }))
    .sort((a, b) => b.declaredUsd - a.declaredUsd),
  byArea: areas.map(([code, title, needs]) => ({ code, title, ...figures(needs) })),
};

if (require.main === module) {
  const out =
    process.argv.slice(2).find((a) => !a.startsWith('--')) ??
    join(__dirname, '..', 'docs', 'coverage-chart.png');
  const svg = renderCoverageChart(DEMO_FIGURES, {
    slice: 'Demo world: all needs',
    generatedOn: '2026-03-02',
  });
  if (process.argv.includes('--svg')) writeFileSync(out.replace(/\.png$/, '.svg'), svg);
  const png = new Resvg(svg, {
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  writeFileSync(out, png);
  console.log(`coverage_chart_png_bytes: ${png.length}`);
  console.log(`written: ${out}`);
}
