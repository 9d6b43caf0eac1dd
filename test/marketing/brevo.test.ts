// The Brevo backend against a local stand-in for its API: look-up, then creation or update.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrevoBackend, brevoParameters } from '../../src/marketing/brevo.ts';
import { createMarketingBackend } from '../../src/marketing/index.ts';
import { ConfigError, configFrom } from '../../src/platform/config.ts';
import { type FakeBrevo, startFakeBrevo } from '../support/fake-brevo.ts';
import { uniqueEmail } from '../support/parts.ts';

let brevo: FakeBrevo;
let backend: BrevoBackend;

beforeAll(async () => {
  brevo = await startFakeBrevo();
  backend = new BrevoBackend(
    brevoParameters.parse({
      api_key: 'brevo-key',
      api_contact_list_ids: [4, 7],
      api_contact_attributes: { SOURCE: 'desk' },
      base_url: brevo.url,
    }),
  );
});

afterAll(async () => {
  await brevo?.close();
});

describe('the Brevo backend', () => {
  it('creates an unknown contact with the configured lists and attributes', async () => {
    const email = uniqueEmail();
    const before = brevo.requests.length;
    await backend.signup({ email });
    const calls = brevo.requests.slice(before);
    expect(calls.map((c) => c.method)).toEqual(['GET', 'POST']);
    expect(calls.every((c) => c.apiKey === 'brevo-key')).toBe(true);
    expect(calls[1]?.body).toEqual({
      email,
      attributes: { SOURCE: 'desk' },
      listIds: [4, 7],
      updateEnabled: true,
    });
  });

  it('updates a known contact, keeping the lists it already had', async () => {
    const email = uniqueEmail();
    brevo.contacts.set(email, { listIds: [1, 4] });
    const before = brevo.requests.length;
    await backend.signup({ email });
    const calls = brevo.requests.slice(before);
    expect(calls.map((c) => c.method)).toEqual(['GET', 'PUT']);
    expect(calls[1]?.path).toBe(`/v3/contacts/${encodeURIComponent(email)}`);
    expect(calls[1]?.body).toEqual({ attributes: { SOURCE: 'desk' }, listIds: [1, 4, 7] });
  });

  it('fails with a message that does not contain the email address', async () => {
    brevo.failWith = 500;
    const email = uniqueEmail('secret');
    try {
      await expect(backend.signup({ email })).rejects.toThrow(/answered 500/);
      await backend.signup({ email }).catch((err: Error) => expect(err.message).not.toContain(email));
    } finally {
      brevo.failWith = undefined;
    }
  });

  it('refuses to start with Brevo parameters missing the api key', () => {
    const config = configFrom({
      LASUITE_MARKETING_BACKEND: 'brevo',
      LASUITE_MARKETING_PARAMETERS: '{"api_contact_list_ids":[1]}',
    });
    expect(() => createMarketingBackend(config)).toThrow(ConfigError);
  });
});
