// Staff login limits hold under parallel requests: each attempt takes its slot before the password is checked.
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/index.ts';
import { PASSWORD, useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';

// Loopback is the trusted proxy here, so each test speaks from its own client address.
const t = useDesk({ TRUSTED_PROXIES: '127.0.0.1' });
let lastOctet = 0;
const newAddress = () => `203.0.113.${++lastOctet}`;

async function loginBurst(emails: string[], password: string, address = newAddress()) {
  const browser = t.browser();
  await browser.primeCsrf();
  return Promise.all(
    emails.map((email) =>
      browser.post('/api/v1.0/login/', { email, password }, { headers: { 'x-forwarded-for': address } }),
    ),
  );
}

const statuses = (answers: { status: number }[]) => answers.map((a) => a.status);
const count = (list: number[], status: number) => list.filter((s) => s === status).length;

describe('staff login under parallel attempts', () => {
  it('checks at most 5 of 30 parallel wrong passwords for one account', async () => {
    const user = await t.createUser({ isStaff: true, password: await hashPassword(PASSWORD) });
    const answers = statuses(await loginBurst(Array(30).fill(user.email), 'a wrong password'));
    expect(count(answers, 400)).toBe(5);
    expect(count(answers, 429)).toBe(25);
  });

  it('refuses the right password sent inside a burst once the account is paused', async () => {
    const user = await t.createUser({ isStaff: true, password: await hashPassword(PASSWORD) });
    const address = newAddress();
    await loginBurst(Array(10).fill(user.email), 'a wrong password', address);
    const [right] = await loginBurst([user.email ?? ''], PASSWORD, newAddress());
    expect(right?.status).toBe(429);
  });

  it('checks at most 20 of 60 parallel attempts from one address', async () => {
    const emails = Array.from({ length: 60 }, () => uniqueEmail('guess'));
    const answers = statuses(await loginBurst(emails, 'a wrong password'));
    expect(count(answers, 400)).toBe(20);
    expect(count(answers, 429)).toBe(40);
  });

  it('counts every spelling of an account email against that account', async () => {
    const email = uniqueEmail('admin');
    const user = await t.createUser({ isStaff: true, email, password: await hashPassword(PASSWORD) });
    const [local, domain] = email.split('@') as [string, string];
    const spellings = [
      email.toUpperCase(),
      `${local.toUpperCase()}@${domain}`,
      `${local}@${domain.toUpperCase()}`,
      `${local[0]?.toUpperCase()}${local.slice(1)}@${domain}`,
      ` ${email} `,
    ];
    for (const spelling of spellings) await loginBurst([spelling], 'a wrong password');
    const [right] = await loginBurst([user.email ?? ''], PASSWORD);
    expect(right?.status).toBe(429);
  });

  it('gives the account its attempts back after a successful login', async () => {
    const user = await t.createUser({ isStaff: true, password: await hashPassword(PASSWORD) });
    const address = newAddress();
    for (let i = 0; i < 4; i++) await loginBurst([user.email ?? ''], 'a wrong password', address);
    expect(statuses(await loginBurst([user.email ?? ''], PASSWORD, address))).toEqual([200]);
    const again = await loginBurst(Array(4).fill(user.email), 'a wrong password', address);
    expect(statuses(again)).toEqual([400, 400, 400, 400]);
  });
});
