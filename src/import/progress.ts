// How a long import shows where it is: on a terminal one line redrawn per table (a bar, rows, rate, time left); written
// to a file or a pipe, a plain line every few seconds and one when a table is done. Then the summary table.
import type { Progress, TableResult } from './engine.ts';

const number = new Intl.NumberFormat('en-US');
const COLUMNS = ['read', 'created', 'updated', 'deleted', 'unchanged', 'skipped', 'expired'] as const;
const BAR = 24;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** What was done with a table's rows, for the line saying it is done. */
function outcome(t: TableResult): string {
  const counts = COLUMNS.slice(1).map((c) => `${number.format(t[c])} ${c}`);
  return `${number.format(t.read)} rows read; ${counts.join(', ')}`;
}

export function progressOn(stream: NodeJS.WriteStream, now: () => number = Date.now): Progress {
  const terminal = Boolean(stream.isTTY);
  let table = '';
  let total = 0;
  let started = 0;
  let lastLine = 0;
  const line = (done: number) => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const left = rate > 0 ? (total - done) / rate : Number.NaN;
    const counts = `${number.format(done)} / ${number.format(total)} rows, ${number.format(Math.round(rate))} rows/s, ${duration(left)} left`;
    if (!terminal) return `${table}: ${counts}\n`;
    const filled = total ? Math.min(BAR, Math.round((done / total) * BAR)) : BAR;
    return `\r\x1b[2K${table.padEnd(30)} ${'█'.repeat(filled)}${'░'.repeat(BAR - filled)} ${counts}`;
  };
  return {
    start(name, rows) {
      table = name;
      total = rows;
      started = now();
      lastLine = started;
      if (terminal) stream.write(line(0));
    },
    advance(name, done) {
      if (name !== table) return;
      if (terminal) stream.write(line(done));
      else if (now() - lastLine >= 5_000) {
        lastLine = now();
        stream.write(line(done));
      }
    },
    end(result) {
      const current = result.table === table;
      if (current) table = '';
      if (!terminal) stream.write(`${result.table}: ${outcome(result)}\n`);
      else if (current) stream.write(`\r\x1b[2K${result.table}: ${outcome(result)}\n`);
    },
  };
}

/** The summary: one row per Desk table, with what was read from people and what was done with it. */
export function summary(tables: TableResult[], dryRun: boolean): string {
  const header = ['table', 'from', ...COLUMNS];
  const rows = tables.map((t) => [t.table, t.source, ...COLUMNS.map((c) => number.format(t[c]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const sum = (c: (typeof COLUMNS)[number]) => tables.reduce((n, t) => n + t[c], 0);
  const [created, updated, deleted, skipped] = (['created', 'updated', 'deleted', 'skipped'] as const).map(
    (c) => number.format(sum(c)),
  );
  const total = dryRun
    ? `Dry run, nothing was written: the import would create ${created}, update ${updated}, delete ${deleted} and skip ${skipped} rows.`
    : `In all: ${created} created, ${updated} updated, ${deleted} deleted, ${skipped} skipped.`;
  return `${[format(header), ...rows.map(format)].join('\n')}\n${total}\n`;
}
