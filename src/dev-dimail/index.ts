/**
 * The built-in development dimail: the mail platform's provisioning API, served by Desk itself under /dev-dimail when
 * DESK_DEV_DIMAIL is on, so mail domains, mailboxes and aliases work with one command and no settings. It answers
 * what people's dimail client (and Desk's) calls, in dimail's shapes: `GET /token/` with HTTP Basic
 * MAIL_PROVISIONING_API_CREDENTIALS gives an HS256 bearer token for an hour; domain routes (create, check, fix,
 * spec, users, allows) take Basic, mailbox and alias routes take that Bearer token.
 *
 * What a domain's checks find is decided by the first label of its name, so every status can be tried:
 * - `action-required.…` (e.g. action-required.example.fr): the external checks mx and spf fail, each error naming the
 *   record to set: the domain's owner has to act; `fix` changes nothing.
 * - `failed.…`: the internal check cert fails and `fix` cannot mend it.
 * - `fixable.…`: cert fails until `GET /domains/{name}/fix/` is called, which mends it.
 * - any other name: every check passes.
 * Login links lead to /dev-dimail/webmail/code/… (WEBMAIL_URL's default with it), a page saying what a webmail would do.
 * The DNS specification points at the made-up platform dev-dimail.invalid. A display name already used in the
 * domain's OX context makes mailbox creation answer 500, as dimail does (the address lookup then names the holder).
 *
 * State is kept in memory, in this process only: a restart forgets everything. So that a developer's data in .desk/
 * keeps working after one, this dimail is lenient: a domain or mailbox it is asked about and does not know is made
 * on the spot instead of answering 404. Production never loads this module (app.ts imports it only when on, and
 * production refuses DESK_DEV_DIMAIL). Tokens, passwords and login codes are never logged.
 */
import type { Config } from '../platform/config.ts';
import type { App } from '../platform/http.ts';
import { registerDimailApi } from './routes.ts';
import { DEV_DIMAIL_PATH, devDimailCredentials, devDimailTokenKey } from './settings.ts';

export { type DomainOutcome, MailPlatform, outcomeOf, PLATFORM_HOST } from './mail-platform.ts';
export { type DimailApi, type DimailApiOptions, registerDimailApi } from './routes.ts';
export { DEV_DIMAIL_PATH, DEV_DIMAIL_USER, devDimailCredentials, withDevDimail } from './settings.ts';

/** Serves the development dimail under /dev-dimail on Desk's server. */
export async function mountDevDimail(app: App, config: Config): Promise<void> {
  await app.register(
    async (scope) => {
      registerDimailApi(scope, {
        credentials: devDimailCredentials(config),
        tokenKey: devDimailTokenKey(config),
        lenient: true,
      });
      // Where login links lead in development (WEBMAIL_URL defaults here): a real webmail signs in with the code.
      scope.get('/webmail/code/:code', { schema: { hide: true } }, async (_request, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .send(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Development webmail</title></head>' +
              '<body><main><h1>Development webmail</h1><p>This link came from the development dimail. A real ' +
              'webmail (WEBMAIL_URL) would sign the mailbox in with its one-time code here.</p></main></body></html>',
          ),
      );
    },
    { prefix: DEV_DIMAIL_PATH },
  );
}
