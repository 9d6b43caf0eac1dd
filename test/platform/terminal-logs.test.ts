// Logs a person reads on a terminal, JSON lines for machines: the choice follows where the logs go, and on a terminal
// each request is one line (none for assets and heartbeats), so the start lines stay in view.
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildDesk } from '../../src/app.ts';
import { configFrom } from '../../src/platform/config.ts';
import { logFormat } from '../../src/platform/logging.ts';
import { BASE_SETTINGS } from '../support/desk.ts';
import { testDatabase, testStore } from '../support/parts.ts';

/** Collects what is written; `isTTY` as a terminal's standard output has it. */
function output(terminal: boolean): Writable & { text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return Object.assign(stream, terminal ? { isTTY: true } : {}, { text: () => text });
}

/** A Desk logging at info into `logs`, asked for a page, an API route, an asset and a heartbeat. */
async function requestsLoggedInto(logs: Writable): Promise<void> {
  const testDb = await testDatabase();
  const store = testStore();
  const desk = await buildDesk(configFrom({ ...BASE_SETTINGS, LOG_LEVEL: 'info' }), {
    database: testDb.database,
    kv: store.kv,
    runJobs: false,
    logStream: logs,
  });
  try {
    for (const url of [
      '/api/v1.0/config/?x=1',
      '/assets/missing.js',
      '/__lbheartbeat__',
      '/api/v1.0/nowhere/',
    ])
      await desk.app.inject({ method: 'GET', url });
  } finally {
    await desk.close();
    await store.kv.close();
    await testDb.drop();
  }
}

describe('the log format', () => {
  it('is readable lines for a terminal, JSON lines for a pipe or a file', () => {
    expect(logFormat(output(true))).toBe('pretty');
    expect(logFormat(output(false))).toBe('json');
    expect(logFormat(createWriteStream(join(mkdtempSync(join(tmpdir(), 'desk-log-')), 'desk.log')))).toBe(
      'json',
    );
  });

  it('on a terminal, says each request in one line, without its query, and nothing for assets and heartbeats', async () => {
    const logs = output(true);
    await requestsLoggedInto(logs);
    const lines = logs.text().split('\n').filter(Boolean);
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
    expect(
      lines
        .filter((l) => / GET /.test(l))
        .map((l) => l.replace(/^\[[\d:]+\] /, '').replace(/\d+ ms/, 'N ms')),
    ).toEqual(['INFO: GET /api/v1.0/config/ 200 N ms', 'INFO: GET /api/v1.0/nowhere/ 404 N ms']);
  });

  it('for a machine, stays JSON with a line as each request comes and one as it ends', async () => {
    const logs = output(false);
    await requestsLoggedInto(logs);
    const entries = logs
      .text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; req?: { path: string } });
    expect(entries.filter((e) => e.msg === 'incoming request').map((e) => e.req?.path)).toEqual([
      '/api/v1.0/config/',
      '/assets/missing.js',
      '/__lbheartbeat__',
      '/api/v1.0/nowhere/',
    ]);
    expect(entries.filter((e) => e.msg === 'request completed')).toHaveLength(4);
  });
});
