// SIGTERM: Desk stops accepting, finishes the request in flight, closes the database, and exits 0.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

describe('SIGTERM', () => {
  it('lets an in-flight request finish, then exits 0 and refuses new connections', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(import.meta.dirname, '../support/slow-server.ts')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const port = await new Promise<number>((done, fail) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /^(\d+)\n/.exec(out);
        if (m) done(Number(m[1]));
      });
      child.once('exit', (code) => fail(new Error(`exited early with ${code}`)));
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const inFlight = fetch(`http://127.0.0.1:${port}/slow`);
    await vi.waitFor(() => expect(out).toContain('slow request started'), { timeout: 10_000, interval: 10 });
    child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/__lbheartbeat__`)).rejects.toThrow();
  });
});
