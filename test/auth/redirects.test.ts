// Where ?next= may send the browser after login: paths of Desk and allowed hosts only, whatever the encoding.
import { describe, expect, it } from 'vitest';
import { safeNext } from '../../src/auth/index.ts';
import { configFrom } from '../../src/platform/config.ts';

const config = configFrom({
  PUBLIC_URL: 'https://desk.example.gouv.fr',
  OIDC_REDIRECT_ALLOWED_HOSTS: 'app.example.gouv.fr',
});

describe('next after login', () => {
  it.each([
    '/.//evil.example/phish',
    '/..//evil.example/phish',
    '/%2e//evil.example/phish',
    '/%2E%2E//evil.example',
    '/a/..//evil.example/phish',
    '/./\\evil.example',
    '//evil.example',
    '/\\evil.example',
    '%2F%2Fevil.example',
    'https://evil.example/',
    'https://desk.example.gouv.fr.evil.example/',
    'javascript:alert(1)',
  ])('never leaves Desk for %s', (next) => {
    const kept = safeNext(next, config);
    if (kept === undefined) return;
    // What is kept is a path of Desk: a browser resolves it on Desk's own origin.
    expect(new URL(kept, 'https://desk.example.gouv.fr').origin).toBe('https://desk.example.gouv.fr');
    expect(kept).not.toMatch(/^\/[/\\]/);
  });

  it('keeps a path of Desk with its query and fragment', () => {
    expect(safeNext('/teams/42/?tab=members#top', config)).toBe('/teams/42/?tab=members#top');
  });

  it('keeps a path that resolves to another path of Desk', () => {
    expect(safeNext('/a/../teams/', config)).toBe('/teams/');
  });

  it('keeps an allowed host', () => {
    expect(safeNext('https://app.example.gouv.fr/home', config)).toBe('https://app.example.gouv.fr/home');
  });
});
