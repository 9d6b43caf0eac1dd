// The conflict report: every row Desk could not take as it was, by table and id, in a CSV file (RFC 4180, for a
// spreadsheet) and on standard error as it is found.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Problem } from './engine.ts';

const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

export interface Report {
  add(problem: Problem): void;
  close(): Promise<void>;
  readonly count: number;
}

export function openReport(path: string, stderr: NodeJS.WritableStream): Report {
  const file: WriteStream = createWriteStream(path, { flags: 'w' });
  file.write('table,id,problem,outcome\r\n');
  let count = 0;
  return {
    add(p) {
      count += 1;
      file.write(`${[p.table, p.id, p.problem, p.outcome].map(cell).join(',')}\r\n`);
      // On a terminal the progress line is cleared first, so the problem does not land in the middle of it.
      const clear = (stderr as NodeJS.WriteStream).isTTY ? '\r\x1b[2K' : '';
      stderr.write(`${clear}${p.table} ${p.id}: ${p.problem} (${p.outcome})\n`);
    },
    close() {
      return new Promise((resolve, reject) =>
        file.end((err?: Error | null) => (err ? reject(err) : resolve())),
      );
    },
    get count() {
      return count;
    },
  };
}
