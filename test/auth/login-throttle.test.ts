// Failed staff logins from one client address are paused after twenty, whatever the emails tried.
import { describe, expect, it } from 'vitest';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';

const t = useDesk();

describe('failed logins from one address', () => {
  it('are paused after 20, with 429 and Retry-After', async () => {
    const browser = t.browser();
    await browser.primeCsrf();
    for (let i = 0; i < 20; i++) {
      const res = await browser.post('/api/v1.0/login/', {
        email: uniqueEmail('guess'),
        password: 'guessing a password',
      });
      expect(res.status).toBe(400);
    }
    const paused = await browser.post('/api/v1.0/login/', {
      email: uniqueEmail('guess'),
      password: 'guessing a password',
    });
    expect(paused.status).toBe(429);
    expect(Number(paused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
