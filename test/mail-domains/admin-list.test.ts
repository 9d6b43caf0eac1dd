// The back office's list of mail domains (DESIGN.md §8, §11): what staff read of each domain.
import { afterAll, describe, expect, it } from 'vitest';
import { useDesk } from '../support/desk.ts';
import { startFakeDimail } from '../support/fake-dimail.ts';

const dimail = await startFakeDimail();
afterAll(() => dimail.close());
const t = useDesk({
  MAIL_PROVISIONING_API_URL: dimail.url,
  MAIL_PROVISIONING_API_CREDENTIALS: dimail.credentials,
  MAIL_PROVISIONING_API_TIMEOUT: '2',
});

describe('the back office list of mail domains', () => {
  it("counts each domain's mailboxes, as its agents see them", async () => {
    const agent = await t.browserFor(await t.createUser());
    const name = `d${crypto.randomUUID().slice(0, 8)}.example.fr`;
    const created = await agent.post('/api/v1.0/mail-domains/', { name, support_email: `support@${name}` });
    expect(created.status, created.text).toBe(201);
    const { slug } = created.json as { slug: string };
    for (const first of ['Ada', 'Grace']) {
      const made = await agent.post(`/api/v1.0/mail-domains/${slug}/mailboxes/`, {
        first_name: first,
        last_name: 'Example',
        local_part: first.toLowerCase(),
      });
      expect(made.status, made.text).toBe(201);
    }
    const { browser: staff } = await t.loginAsStaff();
    const list = await staff.get(`/api/v1.0/admin/mail-domains/?q=${name}`);
    expect(list.status, list.text).toBe(200);
    expect((list.json as { results: { name: string; count_mailboxes: number }[] }).results).toEqual([
      expect.objectContaining({ name, count_mailboxes: 2 }),
    ]);
  });
});
