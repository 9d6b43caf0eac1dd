// A first walk through the mail domains API against the HTTP fake of dimail.
import { afterAll, describe, expect, it } from 'vitest';
import { useDesk } from '../support/desk.ts';
import { startFakeDimail } from '../support/fake-dimail.ts';

const dimail = await startFakeDimail();
afterAll(() => dimail.close());
const t = useDesk({
  MAIL_PROVISIONING_API_URL: dimail.url,
  MAIL_PROVISIONING_API_CREDENTIALS: dimail.credentials,
  MAIL_PROVISIONING_API_TIMEOUT: '2',
  WEBMAIL_URL: 'https://webmail.example.test',
});

describe('mail domains smoke', () => {
  it('creates a domain, a mailbox, an alias and sends a login link', async () => {
    const user = await t.createUser();
    const b = await t.browserFor(user);
    const name = `d${crypto.randomUUID().slice(0, 8)}.example.fr`;
    const created = await b.post('/api/v1.0/mail-domains/', { name, support_email: `support@${name}` });
    expect(created.status, created.text).toBe(201);
    const domain = created.json as { slug: string; status: string; expected_config: unknown[] };
    expect(domain.status).toBe('enabled');
    const mb = await b.post(`/api/v1.0/mail-domains/${domain.slug}/mailboxes/`, {
      first_name: 'Ada',
      last_name: 'Lovelace',
      local_part: 'Ada.Lovelace',
      secondary_email: 'ada@elsewhere.example',
    });
    expect(mb.status, mb.text).toBe(201);
    expect(mb.json).toMatchObject({ local_part: 'ada.lovelace', status: 'enabled' });
    const al = await b.post(`/api/v1.0/mail-domains/${domain.slug}/aliases/`, {
      local_part: 'contact',
      destination: `ada.lovelace@${name}`,
    });
    expect(al.status, al.text).toBe(201);
    const id = (mb.json as { id: string }).id;
    const link = await b.post(`/api/v1.0/mail-domains/${domain.slug}/mailboxes/${id}/login_link/`, {});
    expect(link.status, link.text).toBe(200);
    const me = await b.get('/api/v1.0/users/me/');
    expect((me.json as { abilities: { mailboxes: unknown } }).abilities.mailboxes).toEqual({
      can_view: true,
      can_create: true,
    });
    const list = await b.get('/api/v1.0/mail-domains/');
    expect((list.json as { count: number }).count).toBe(1);
  });
});
