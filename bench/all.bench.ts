/**
 * `npm run bench:all`: every benchmark, one after another (each alone on the machine), then a summary table in
 * Markdown with each figure, its baseline from the same run, the ratio and the target. Writes the table to
 * bench/results/summary.md (and each benchmark's full report next to it) and prints it.
 * BENCH_ALL_ONLY=ingest,mining runs a subset (names as in the list below).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure } from './support/results';

const BENCHES: { name: string; script: string; flags?: string[]; env?: Record<string, string> }[] = [
  { name: 'crypto', script: 'crypto.bench.js' },
  { name: 'privacy', script: 'privacy.bench.js', flags: ['--expose-gc'] },
  { name: 'ingest', script: 'ingest.bench.js' },
  { name: 'auth-storm', script: 'auth-storm.bench.js' },
  { name: 'mining', script: 'mining.bench.js', flags: ['--expose-gc'] },
  { name: 'retention', script: 'retention.bench.js' },
  // At a tenth of its own default (10 M events, about 15 minutes), which `npm run bench:retention-partitions` runs.
  { name: 'retention-partitions', script: 'retention-partitions.bench.js', env: { BENCH_PARTITION_EVENTS: '1000000' } },
];

const OUT = join(__dirname, '../../bench/results');

function run(bench: (typeof BENCHES)[number], resultsFile: string): Promise<number> {
  return new Promise((resolve) => {
    const log = createWriteStream(join(OUT, `${bench.name}.log`));
    const child = spawn(process.execPath, [...(bench.flags ?? []), join(__dirname, bench.script)], {
      env: { ...process.env, ...bench.env, BENCH_RESULTS_FILE: resultsFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.on('exit', (code) => log.end(() => resolve(code ?? 1)));
  });
}

const fmt = (n: number) =>
  Number.isInteger(n) || Math.abs(n) >= 100
    ? Math.round(n).toLocaleString('en')
    : Math.abs(n) >= 10
      ? n.toFixed(1)
      : n.toFixed(2);

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const only = process.env.BENCH_ALL_ONLY?.split(',').map((s) => s.trim());
  const selected = BENCHES.filter((b) => !only || only.includes(b.name));
  const resultsFile = join(OUT, 'figures.jsonl');
  rmSync(resultsFile, { force: true });
  const exits: string[] = [];
  for (const bench of selected) {
    const t0 = Date.now();
    process.stdout.write(`${bench.name} … `);
    const code = await run(bench, resultsFile);
    console.log(
      `${code === 0 ? 'done' : `exited with ${code}`} in ${Math.round((Date.now() - t0) / 1000)} s (report: bench/results/${bench.name}.log)`,
    );
    if (code !== 0) exits.push(`${bench.name} exited with ${code}`);
  }
  const figures = existsSync(resultsFile)
    ? readFileSync(resultsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as BenchFigure & { bench: string })
    : [];
  const lines = [
    `Benchmarks of ${new Date().toISOString().slice(0, 10)} — Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}).`,
    '',
    '| benchmark | measure | value | baseline (same run) | ratio | target | met |',
    '| --- | --- | ---: | --- | ---: | --- | :---: |',
    ...figures.map((f) => {
      const baseline = f.baseline ? `${f.baseline.name}: ${fmt(f.baseline.value)} ${f.unit}` : '–';
      const ratio = f.baseline && f.baseline.value > 0 ? `${((100 * f.value) / f.baseline.value).toFixed(0)} %` : '–';
      const met = f.met === undefined ? '–' : f.met ? 'yes' : 'no';
      return `| ${f.bench} | ${f.measure} | ${fmt(f.value)} ${f.unit} | ${baseline} | ${ratio} | ${f.target ?? '–'} | ${met} |`;
    }),
    ...(exits.length > 0 ? ['', ...exits.map((e) => `- ${e}`)] : []),
  ];
  writeFileSync(join(OUT, 'summary.md'), lines.join('\n') + '\n');
  console.log('');
  console.log(lines.join('\n'));
  if (exits.length > 0) process.exitCode = 1;
}

void main();
