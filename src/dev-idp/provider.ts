// The built-in development OpenID provider: oidc-provider configured like ProConnect (JWT userinfo, RP-initiated
// logout, signed + encrypted introspection), with demo users to pick in one click. Never used in production.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml } from '../platform/html.ts';
import { DEMO_USERS, type DemoUser } from './demo-users.ts';
import { loginPage, loginProblemPage, type PageAnswer, pageLanguage } from './login-page.ts';

export interface DevProviderOptions {
  /** e.g. http://127.0.0.1:8071/dev-idp: the provider lives under this path of Desk's server. */
  issuer: string;
  clients: ClientMetadata[];
  users?: DemoUser[];
}

export interface DevProvider {
  issuer: string;
  provider: Provider;
  users: DemoUser[];
  /** Serves a request whose URL starts with the issuer's path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** An access token for a demo user, as a service provider of the suite would hold (for trying the resource server). */
  mintAccessToken(sub: string, clientId: string, scope: string): Promise<string>;
}

const CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  given_name: ['given_name'],
  usual_name: ['usual_name'],
  siret: ['siret'],
  uid: ['uid'],
  idp_id: ['idp_id'],
  groups: [],
};

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
      if (body.length > 10_000) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;color:#161616}
button{display:block;width:100%;margin:.5rem 0;padding:.8rem;border:1px solid #000091;background:#fff;color:#000091;font-size:1rem;text-align:left;cursor:pointer}
button.hint{background:#000091;color:#fff}small{color:#666}</style></head><body>${body}</body></html>`;
}

export async function createDevProvider(options: DevProviderOptions): Promise<DevProvider> {
  const users = options.users ?? DEMO_USERS;
  const signing = await generateKeyPair('RS256', { extractable: true });
  const introspectionSigning = await generateKeyPair('ES256', { extractable: true });
  const keys: JWK[] = [
    { ...(await exportJWK(signing.privateKey)), kid: 'dev-rs256', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(introspectionSigning.privateKey)), kid: 'dev-es256', alg: 'ES256', use: 'sig' },
  ];
  const formSecret = randomBytes(32);
  const formToken = (uid: string) => createHmac('sha256', formSecret).update(uid).digest('base64url');
  const mountPath = new URL(options.issuer).pathname.replace(/\/+$/, '');

  const provider = new Provider(options.issuer, {
    clients: options.clients,
    jwks: { keys },
    claims: CLAIMS,
    scopes: ['openid', 'email', 'given_name', 'usual_name', 'siret', 'uid', 'idp_id', 'groups'],
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: async (_ctx, id) => {
      const user = users.find((u) => u.sub === id);
      if (!user) return undefined;
      return { accountId: id, claims: async () => ({ ...user }) };
    },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true, allowedPolicy: async () => true },
      jwtIntrospection: { enabled: true },
      encryption: { enabled: true },
      jwtUserinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // No confirmation click: the form posts itself, as ProConnect's logout does. oidc-provider's form holds only
        // `xsrf`; without `logout=yes` (its "Yes, sign me out" button) the provider would keep its own session and
        // the next login would sign the same agent in again without asking, so the form carries it.
        logoutSource: async (ctx: KoaContextWithOIDC, form: string) => {
          ctx.body = page(
            'Déconnexion',
            `${form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>')}<p>Déconnexion…</p><script nonce="${ctx.state?.cspNonce ?? ''}">document.forms[0].submit()</script>
<noscript><button form="op.logoutForm" type="submit" name="logout" value="yes">Se déconnecter</button></noscript>`,
          );
        },
        postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => {
          ctx.body = page('Déconnecté', '<p>Vous êtes déconnecté.</p>');
        },
      },
    },
    // Consent is automatic: every requested scope of a registered client is granted.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      const clientId = ctx.oidc.client?.clientId;
      if (!accountId || !clientId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ accountId, clientId });
      grant.addOIDCScope(String(ctx.oidc.params?.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `${mountPath}/interaction/${interaction.uid}` },
    pkce: { required: () => false },
    ttl: { AccessToken: 3600, IdToken: 3600, Session: 43_200, Interaction: 600, Grant: 43_200 },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Erreur',
        `<h1>${escapeHtml(String(out.error))}</h1><p>${escapeHtml(String(out.error_description ?? ''))}</p>`,
      );
    },
  });

  const callback = provider.callback();

  /** Where the sign-in form's redirects end: the clients' redirect URIs (Desk's callback). */
  const formTargets = options.clients.flatMap((c) =>
    (c.redirect_uris ?? []).map((uri) => new URL(uri).origin),
  );
  const send = (res: ServerResponse, status: number, page: PageAnswer) =>
    res.writeHead(status, page.headers).end(page.html);
  const languageOf = (req: IncomingMessage, uiLocales?: unknown) =>
    pageLanguage({
      picked: new URL(req.url ?? '/', 'http://localhost').searchParams.get('lang'),
      uiLocales,
      acceptLanguage: req.headers['accept-language'],
    });

  async function interaction(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(path);
    if (!match) return false;
    const uid = match[1] ?? '';
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    const lang = languageOf(req, details.params.ui_locales);
    if (req.method === 'POST' && match[2]) {
      const form = await readForm(req);
      const token = Buffer.from(form.get('token') ?? '');
      const expected = Buffer.from(formToken(uid));
      const user = users.find((u) => u.sub === form.get('sub'));
      if (token.length !== expected.length || !timingSafeEqual(token, expected) || !user) {
        send(res, 400, loginProblemPage({ lang, problem: 'invalid', home: '/' }));
        return true;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.sub } },
        { mergeWithLastSubmission: false },
      );
      return true;
    }
    const here = `${mountPath}/interaction/${uid}`;
    send(
      res,
      200,
      loginPage({
        lang,
        here,
        action: `${here}/login`,
        token: formToken(uid),
        users,
        hint: typeof details.params.login_hint === 'string' ? details.params.login_hint : '',
        formTargets,
      }),
    );
    return true;
  }

  return {
    issuer: options.issuer,
    provider,
    users,
    async handle(req, res) {
      const full = req.url ?? '/';
      const path = full.slice(mountPath.length).split('?')[0] || '/';
      try {
        if (await interaction(req, res, path)) return;
      } catch {
        send(res, 400, loginProblemPage({ lang: languageOf(req), problem: 'expired', home: '/' }));
        return;
      }
      // oidc-provider finds its mount path by comparing originalUrl with url.
      Object.assign(req, { originalUrl: full });
      req.url = full.slice(mountPath.length) || '/';
      await callback(req, res);
    },
    async mintAccessToken(sub, clientId, scope) {
      const client = await provider.Client.find(clientId);
      if (!client) throw new Error(`no client ${clientId}`);
      const grant = new provider.Grant({ accountId: sub, clientId });
      grant.addOIDCScope(scope);
      const grantId = await grant.save();
      const token = new provider.AccessToken({
        accountId: sub,
        client,
        grantId,
        scope,
        gty: 'authorization_code',
      });
      return token.save();
    },
  };
}
