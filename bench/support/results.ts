import { appendFileSync } from 'node:fs';

/** One measured figure of a benchmark, as `npm run bench:all` tabulates it. */
export interface BenchFigure {
  measure: string;
  value: number;
  unit: string;
  /** What the figure is compared with, measured in the same run. */
  baseline?: { name: string; value: number };
  /** The target, in words (e.g. "≥ 60 % of the ceiling"), and whether this run met it. */
  target?: string;
  met?: boolean;
}

/**
 * Hands a benchmark's figures to `npm run bench:all`: appended as JSON lines to BENCH_RESULTS_FILE when it is set
 * (a benchmark run on its own prints its own report and writes nothing).
 */
export function reportFigures(bench: string, figures: BenchFigure[]): void {
  const file = process.env.BENCH_RESULTS_FILE;
  if (!file) return;
  for (const f of figures) appendFileSync(file, JSON.stringify({ bench, ...f }) + '\n');
}

/**
 * A figure whose target is at least `minShare` of a baseline measured in the same run (e.g. 0.6: "≥ 60 % of
 * baseline"), with whether it was met.
 */
export function shareOfBaseline(
  figure: { measure: string; value: number; unit: string },
  baseline: { name: string; value: number },
  minShare: number,
): BenchFigure {
  return {
    ...figure,
    baseline,
    target: `≥ ${Math.round(minShare * 100)} % of baseline`,
    met: figure.value >= minShare * baseline.value,
  };
}
