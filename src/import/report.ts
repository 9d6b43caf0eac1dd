// The conflict report: every row Desk could not take as it was, by table and id, in a CSV file (RFC 4180, for a
// spreadsheet) and on standard error as it is found.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Problem } from './engine.ts';

const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

export interface Report {
  add(problem: Problem): void;
  /** Writes the file (the header alone when nothing was reported). */
  close(): Promise<void>;
  /** Ends without writing the file, or touching one there: the run did not get to read people's database. */
  discard(): Promise<void>;
  readonly count: number;
}

export function openReport(path: string, stderr: NodeJS.WritableStream): Report {
  // Made at the first line, so a run that could not start leaves an earlier run's report as it was.
  let file: WriteStream | undefined;
  const write = (line: string) => {
    if (!file) {
      file = createWriteStream(path, { flags: 'w' });
      file.write('table,id,problem,outcome\r\n');
    }
    if (line) file.write(line);
  };
  const end = (stream: WriteStream) =>
    new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  let count = 0;
  return {
    add(p) {
      count += 1;
      write(`${[p.table, p.id, p.problem, p.outcome].map(cell).join(',')}\r\n`);
      // On a terminal the progress line is cleared first, so the problem does not land in the middle of it.
      const clear = (stderr as NodeJS.WriteStream).isTTY ? '\r\x1b[2K' : '';
      stderr.write(`${clear}${p.table} ${p.id}: ${p.problem} (${p.outcome})\n`);
    },
    async close() {
      write('');
      if (file) await end(file);
    },
    async discard() {
      if (file) await end(file);
    },
    get count() {
      return count;
    },
  };
}
