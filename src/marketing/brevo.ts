// Brevo's contacts API (as django-lasuite uses it): look the contact up, then create it or update its lists and attributes.
import { z } from 'zod';
import { type MarketingBackend, type MarketingContact, MarketingFailure } from './backend.ts';

/** LASUITE_MARKETING_PARAMETERS for Brevo (names as in django-lasuite; base_url lets tests use a local server). */
export const brevoParameters = z.object({
  api_key: z.string().min(1),
  api_contact_list_ids: z.array(z.number().int()).default([]),
  api_contact_attributes: z.record(z.string(), z.unknown()).default({}),
  base_url: z.url().default('https://api.brevo.com/v3'),
  timeout_seconds: z.number().positive().max(60).default(10),
});

export type BrevoParameters = z.infer<typeof brevoParameters>;

export class BrevoBackend implements MarketingBackend {
  readonly name = 'brevo';
  private readonly base: string;

  constructor(private readonly parameters: BrevoParameters) {
    this.base = parameters.base_url.replace(/\/+$/, '');
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        headers: {
          'api-key': this.parameters.api_key,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.parameters.timeout_seconds * 1000),
      });
    } catch (err) {
      throw new MarketingFailure(
        `Brevo ${method} ${path.split('/')[1] ?? ''} failed: ${(err as Error).name}`,
      );
    }
  }

  async signup(contact: MarketingContact): Promise<void> {
    const path = `/contacts/${encodeURIComponent(contact.email)}?identifierType=email_id`;
    const found = await this.call('GET', path);
    if (found.status !== 200 && found.status !== 404)
      throw new MarketingFailure(`Brevo contact look-up answered ${found.status}`);
    const attributes = { ...this.parameters.api_contact_attributes, ...contact.attributes };
    if (found.status === 404) {
      const created = await this.call('POST', '/contacts', {
        email: contact.email,
        attributes,
        listIds: this.parameters.api_contact_list_ids,
        updateEnabled: true,
      });
      if (!created.ok) throw new MarketingFailure(`Brevo contact creation answered ${created.status}`);
      return;
    }
    const existing = (await found.json().catch(() => ({}))) as { listIds?: number[] };
    const listIds = [...new Set([...(existing.listIds ?? []), ...this.parameters.api_contact_list_ids])];
    const updated = await this.call('PUT', path, { attributes, listIds });
    if (!updated.ok) throw new MarketingFailure(`Brevo contact update answered ${updated.status}`);
  }
}
