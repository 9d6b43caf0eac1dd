// The development provider's sign-in page: the demo agents as buttons on a card, in English or French, with the web
// app's fonts and colours; its own Content-Security-Policy (one nonce for its one style sheet, no script).
import { randomBytes } from 'node:crypto';
import { escapeHtml } from '../platform/html.ts';
import type { DemoUser } from './demo-users.ts';

export type PageLanguage = 'en' | 'fr';

const TEXTS = {
  en: {
    title: 'Log in – Desk development provider',
    provider: 'Development identity provider',
    heading: 'Log in',
    lead: 'Choose a demo agent to sign in to Desk as them, without a password.',
    warning: 'For development only: anyone reaching this page signs in as anyone listed here.',
    agents: 'Demo agents',
    languages: 'Language',
    invalid: 'This choice is not valid: go back to Desk and log in again.',
    expired: 'This sign-in has expired: go back to Desk and log in again.',
    back: 'Back to Desk',
  },
  fr: {
    title: 'Se connecter – fournisseur de développement de Desk',
    provider: 'Fournisseur d’identité de développement',
    heading: 'Se connecter',
    lead: 'Choisissez un agent de démonstration pour vous connecter à Desk en son nom, sans mot de passe.',
    warning:
      'Pour le développement seulement : quiconque atteint cette page se connecte au nom des agents listés.',
    agents: 'Agents de démonstration',
    languages: 'Langue',
    invalid: 'Ce choix n’est pas valide : revenez à Desk et reconnectez-vous.',
    expired: 'Cette connexion a expiré : revenez à Desk et reconnectez-vous.',
    back: 'Revenir à Desk',
  },
} as const satisfies Record<PageLanguage, Record<string, string>>;

/** A language tag's language (fr-FR → fr), when the page speaks it. */
function supported(tag: string): PageLanguage | undefined {
  const language = tag.trim().toLowerCase().split(/[-_]/)[0];
  return language === 'fr' || language === 'en' ? language : undefined;
}

/** The first supported language of an Accept-Language header, by quality then order (RFC 9110 §12.5.4). */
function fromAcceptLanguage(header: string): PageLanguage | undefined {
  const ranges = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((range) => range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ranges) {
    const language = supported(range.tag);
    if (language) return language;
  }
  return undefined;
}

/**
 * The page's language: the one picked on the page (?lang=), else the sign-in request's ui_locales (OpenID Connect
 * Core §3.1.2.1, space-separated, in order of preference), else the browser's Accept-Language (what the web app
 * itself speaks before sign-in), else English, Desk's default.
 */
export function pageLanguage(from: {
  picked?: string | null | undefined;
  uiLocales?: unknown;
  acceptLanguage?: string | undefined;
}): PageLanguage {
  const picked = from.picked ? supported(from.picked) : undefined;
  if (picked) return picked;
  if (typeof from.uiLocales === 'string')
    for (const tag of from.uiLocales.split(/\s+/).filter(Boolean)) {
      const language = supported(tag);
      if (language) return language;
    }
  return fromAcceptLanguage(from.acceptLanguage ?? '') ?? 'en';
}

/** The web app's tokens (web/src/styles.css): the French state's palette, contrast AA, and its font stack. */
const STYLE = `
:root{--blue:#000091;--blue-hover:#1212ff;--blue-light:#e3e3fd;--red:#ce0500;--text:#161616;--muted:#595959;
--line:#dddddd;--surface:#fff;--surface-alt:#f6f6f6;--focus:#0a76f6;--radius:4px;
font-family:Marianne,system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--text);
background:var(--surface-alt);line-height:1.5}
*{box-sizing:border-box}body{margin:0}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.header{background:var(--surface);border-bottom:1px solid var(--line);box-shadow:0 2px 4px rgb(0 0 0/6%)}
.header-inner{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;max-width:72rem;margin:0 auto;
padding:.75rem 1.5rem}
.brand{font-weight:700;font-size:1.25rem}
.brand::before{content:"";display:inline-block;width:.5rem;height:1.25rem;margin-right:.5rem;vertical-align:-.2rem;
background:linear-gradient(var(--blue) 0 33%,#fff 33% 66%,var(--red) 66%);border:1px solid var(--line)}
.muted{color:var(--muted)}
.languages{margin-left:auto}.languages ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0}
.languages a{color:var(--blue)}.languages a[aria-current]{color:var(--text);font-weight:600;text-decoration:none}
main{max-width:36rem;margin:2.5rem auto;padding:0 1rem}
.card{background:var(--surface);border:1px solid var(--line);border-radius:var(--radius);
box-shadow:0 4px 12px rgb(0 0 0/8%);padding:2rem}
h1{font-size:2rem;margin:0 0 .5rem}h2{font-size:1.125rem;margin:1.5rem 0 .5rem}
p{margin:0 0 1rem}
.warning{padding:.75rem 1rem;border-left:4px solid var(--blue);background:var(--blue-light);font-size:.875rem}
.agents{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:.75rem}
.agents button{display:flex;align-items:center;gap:1rem;width:100%;min-height:3.5rem;padding:.75rem 1rem;
border:1px solid var(--blue);border-radius:var(--radius);background:var(--surface);color:var(--blue);
font:inherit;text-align:left;cursor:pointer}
.agents button:hover{background:var(--blue-light)}
.agents button.hint{background:var(--blue);color:#fff}.agents button.hint:hover{background:var(--blue-hover)}
.avatar{flex:none;display:grid;place-items:center;width:2.5rem;height:2.5rem;border-radius:50%;
background:var(--blue-light);color:var(--blue);font-weight:700}
.hint .avatar{background:#fff}
.agent{display:flex;flex-direction:column;min-width:0}
.agent-name{font-weight:600}.agent-detail{font-size:.875rem;overflow-wrap:anywhere}
.agent-detail{color:var(--muted)}.hint .agent-detail{color:#fff}
@media (max-width:30rem){.card{padding:1.25rem}h1{font-size:1.625rem}}
`;

export interface PageAnswer {
  html: string;
  headers: Record<string, string>;
}

/**
 * No script at all; the one style sheet by its nonce; the form posts here, and its redirects end at the clients'
 * redirect URIs (Desk's callback), which form-action must allow too.
 */
function answer(lang: PageLanguage, title: string, body: string, formTargets: string[]): PageAnswer {
  const nonce = randomBytes(16).toString('base64');
  const formAction = ["'self'", ...new Set(formTargets)].join(' ');
  return {
    html: `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${STYLE}</style></head><body>${body}</body></html>`,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // Answered outside Fastify (the provider's raw response): the headers Desk adds to every answer, here too.
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      'content-security-policy': [
        "default-src 'none'",
        `style-src 'nonce-${nonce}'`,
        `form-action ${formAction}`,
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    },
  };
}

function header(lang: PageLanguage, here: string | null): string {
  const text = TEXTS[lang];
  // Each language names itself in its own language (and is marked so), as the web app's switch does.
  const links = here
    ? `<nav class="languages" aria-label="${text.languages}"><ul>${(
        [
          ['en', 'English'],
          ['fr', 'Français'],
        ] as const
      )
        .map(
          ([code, name]) =>
            `<li><a href="${escapeHtml(`${here}?lang=${code}`)}" hreflang="${code}" lang="${code}"${code === lang ? ' aria-current="true"' : ''}>${name}</a></li>`,
        )
        .join('')}</ul></nav>`
    : '';
  return `<header class="header"><div class="header-inner"><span class="brand">Desk</span><span class="muted">${text.provider}</span>${links}</div></header>`;
}

const initials = (user: DemoUser) => `${user.given_name.charAt(0)}${user.usual_name.charAt(0)}`.toUpperCase();

/** The page where a demo agent is picked: one submit button per agent, named by the agent's name first. */
export function loginPage(options: {
  lang: PageLanguage;
  /** The page's own path, for the language links. */
  here: string;
  action: string;
  token: string;
  users: DemoUser[];
  hint: string;
  formTargets: string[];
}): PageAnswer {
  const { lang, users, hint } = options;
  const text = TEXTS[lang];
  const buttons = users
    .map((u) => {
      const hinted = u.email === hint || u.sub === hint;
      return `<li><button type="submit" name="sub" value="${escapeHtml(u.sub)}"${hinted ? ' class="hint" autofocus' : ''}>
<span class="avatar" aria-hidden="true">${escapeHtml(initials(u))}</span><span class="agent"><span class="agent-name">${escapeHtml(`${u.given_name} ${u.usual_name}`)}</span>
<span class="agent-detail">${escapeHtml(u.email)}</span><span class="agent-detail">SIRET ${escapeHtml(u.siret)}</span></span></button></li>`;
    })
    .join('\n');
  return answer(
    lang,
    text.title,
    `${header(lang, options.here)}<main><div class="card">
<h1 id="title">${text.heading}</h1><p>${text.lead}</p><p class="warning">${text.warning}</p>
<form method="post" action="${escapeHtml(options.action)}" aria-labelledby="title">
<input type="hidden" name="token" value="${escapeHtml(options.token)}">
<h2 id="agents">${text.agents}</h2><ul class="agents" aria-labelledby="agents">
${buttons}</ul></form></div></main>`,
    options.formTargets,
  );
}

/** A sign-in that cannot go on (a forged choice, an expired interaction): what happened, and the way back. */
export function loginProblemPage(options: {
  lang: PageLanguage;
  problem: 'invalid' | 'expired';
  home: string;
}): PageAnswer {
  const text = TEXTS[options.lang];
  return answer(
    options.lang,
    text.title,
    `${header(options.lang, null)}<main><div class="card"><h1>${text.heading}</h1>
<p role="alert">${text[options.problem]}</p><p><a href="${escapeHtml(options.home)}">${text.back}</a></p></div></main>`,
    [],
  );
}
