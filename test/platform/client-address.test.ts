// TRUSTED_PROXIES: the client address comes from X-Forwarded-For only through proxies Desk was told to believe.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, configFrom } from '../../src/platform/config.ts';
import { type App, createHttpServer } from '../../src/platform/http.ts';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function clientAddress(
  trusted: string | undefined,
  remoteAddress: string,
  forwardedFor?: string,
): Promise<string> {
  const app = await createHttpServer(
    configFrom({ LOG_LEVEL: 'silent', ...(trusted === undefined ? {} : { TRUSTED_PROXIES: trusted }) }),
  );
  apps.push(app);
  app.get('/ip', async (request) => ({ ip: request.ip }));
  const res = await app.inject({
    url: '/ip',
    remoteAddress,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  });
  return (res.json() as { ip: string }).ip;
}

describe('the client address', () => {
  it('is the socket address by default, whatever X-Forwarded-For says', async () => {
    expect(await clientAddress(undefined, '203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
    expect(await clientAddress('', '203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
    expect(await clientAddress('0', '203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
  });

  it('with a hop count of 1 is the rightmost X-Forwarded-For entry, the one the proxy wrote', async () => {
    expect(await clientAddress('1', '10.0.0.2', '6.6.6.6, 198.51.100.7')).toBe('198.51.100.7');
    expect(await clientAddress('1', '10.0.0.2')).toBe('10.0.0.2');
  });

  it('with a hop count of 2 goes one proxy further, never to what the client wrote before it', async () => {
    expect(await clientAddress('2', '10.0.0.2', '6.6.6.6, 198.51.100.7, 10.0.0.3')).toBe('198.51.100.7');
  });

  it('with a CIDR list believes only the listed proxies', async () => {
    const trusted = '10.0.0.0/8, 2001:db8::/32';
    expect(await clientAddress(trusted, '10.1.2.3', '198.51.100.7')).toBe('198.51.100.7');
    expect(await clientAddress(trusted, '2001:db8::1', '198.51.100.7')).toBe('198.51.100.7');
    // A client talking to Desk directly is not a listed proxy: its X-Forwarded-For is ignored.
    expect(await clientAddress(trusted, '203.0.113.9', '198.51.100.7')).toBe('203.0.113.9');
    // Through two listed proxies, the first address outside the list is the client.
    expect(await clientAddress('["10.0.0.0/8"]', '10.0.0.2', '198.51.100.7, 10.9.9.9')).toBe('198.51.100.7');
  });

  it('never takes a spoofed leftmost entry', async () => {
    for (const trusted of ['1', '10.0.0.0/8', '10.0.0.2'])
      expect(await clientAddress(trusted, '10.0.0.2', '1.2.3.4, 198.51.100.7')).toBe('198.51.100.7');
  });
});

describe('a bad TRUSTED_PROXIES', () => {
  for (const value of [
    'proxy.internal',
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0.1/8/1',
    '-1',
    '1, 2',
    '["10.0.0.1"',
  ]) {
    it(`(${value}) is refused at start, named`, () => {
      let error: unknown;
      try {
        configFrom({ TRUSTED_PROXIES: value });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain('- TRUSTED_PROXIES: expected');
    });
  }
});
