// Per-user rates on the user routes: 429 with Retry-After past the burst rate.
import { describe, expect, it } from 'vitest';
import { useDesk } from '../support/desk.ts';

describe('user route throttling', () => {
  const t = useDesk({ BURST_THROTTLE_RATES: '3/minute', SUSTAINED_THROTTLE_RATES: '100/hour' });

  it('answers 429 with Retry-After once a user passes the burst rate', async () => {
    const { browser } = await t.loginAsStaff();
    for (let i = 0; i < 3; i++) expect((await browser.get('/api/v1.0/users/me/')).status).toBe(200);
    const limited = await browser.get('/api/v1.0/users/me/');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.json).toMatchObject({ detail: expect.stringContaining('throttled') });
  });

  it('counts each user separately', async () => {
    const first = await t.loginAsStaff();
    const second = await t.loginAsStaff();
    for (let i = 0; i < 3; i++) await first.browser.get('/api/v1.0/users/me/');
    expect((await first.browser.get('/api/v1.0/users/me/')).status).toBe(429);
    expect((await second.browser.get('/api/v1.0/users/me/')).status).toBe(200);
  });
});
