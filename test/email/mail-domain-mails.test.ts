// The mails of mail domains and mailboxes: each in English and French with its subject, address and link; names
// escaped in HTML; MJML that compiles; a development preview for each. A new mailbox's mail never holds a password.
import { describe, expect, it } from 'vitest';
import { renderMail, SAMPLES, type TemplateContext, type TemplateName } from '../../src/email/index.ts';
import { useDesk } from '../support/desk.ts';

const t = useDesk({ DEBUG: 'true' });

const MANAGE_URL = 'https://desk.example.gouv.fr/mail-domains/ville-exemple-fr/';
const LOGIN_LINK = 'https://webmail.example.gouv.fr/code/8f2c41d7';
const WEBMAIL_URL = 'https://webmail.example.gouv.fr/';
const MAILBOX = 'jean.dupont@ville-exemple.fr';

const render = <T extends TemplateName>(template: T, language: string, context: TemplateContext<T>) =>
  renderMail(template, language, context);

const NEW_TEMPLATES = [
  'maildomain_status',
  'maildomain_invitation',
  'mailbox_created',
  'mailbox_login_link',
  'mailbox_password_reset',
] as const;

describe('the mail-domain status mail', () => {
  const status = (s: 'enabled' | 'action_required' | 'failed', details: string[] = []) => ({
    domainName: 'ville-exemple.fr',
    status: s,
    manageUrl: MANAGE_URL,
    details,
  });

  it('says the domain is ready, in English and in French, with a button to its page', async () => {
    const en = await render('maildomain_status', 'en-us', status('enabled'));
    expect(en.subject).toBe('Your mail domain ville-exemple.fr is ready');
    expect(en.html).toContain(`href="${MANAGE_URL}"`);
    expect(en.html).toContain('<b>ville-exemple.fr</b>');
    expect(en.text).toContain(MANAGE_URL);
    const fr = await render('maildomain_status', 'fr-fr', status('enabled'));
    expect(fr.subject).toBe('Votre domaine de messagerie ville-exemple.fr est prêt');
    expect(fr.text).toContain('Le domaine de messagerie ville-exemple.fr est configuré');
    expect(fr.html).toContain('Gérer le domaine');
  });

  it('lists what the mail platform asks to fix when action is required', async () => {
    const details = ['MX: 10 mx.ville-exemple.fr is expected', 'SPF: the TXT record is missing'];
    const en = await render('maildomain_status', 'en-us', status('action_required', details));
    expect(en.subject).toBe('Action required on your mail domain ville-exemple.fr');
    expect(en.html).toContain(`<li>${details[0]}</li><li>${details[1]}</li>`);
    expect(en.text).toContain(`- ${details[0]}\n- ${details[1]}`);
    const fr = await render('maildomain_status', 'fr-fr', status('action_required', details));
    expect(fr.subject).toBe('Action requise sur votre domaine de messagerie ville-exemple.fr');
    expect(fr.text).toContain('les points suivants');
    expect(fr.text).toContain(`- ${details[1]}`);
  });

  it('sends to the domain page when action is required and the platform listed nothing', async () => {
    const en = await render('maildomain_status', 'en-us', status('action_required'));
    expect(en.html).not.toContain('<ul');
    expect(en.text).toContain('its page in Desk shows which');
    expect(en.html).toContain(`href="${MANAGE_URL}"`);
  });

  it('says the domain could not be set up and its mailboxes stay disabled', async () => {
    const en = await render('maildomain_status', 'en-us', status('failed'));
    expect(en.subject).toBe('Your mail domain ville-exemple.fr could not be set up');
    expect(en.text).toContain("the domain's mailboxes stay disabled");
    const fr = await render('maildomain_status', 'fr-fr', status('failed'));
    expect(fr.subject).toBe("Votre domaine de messagerie ville-exemple.fr n'a pas pu être configuré");
    expect(fr.text).toContain('restent désactivées');
    expect(fr.html).toContain(`href="${MANAGE_URL}"`);
  });
});

describe('the mail-domain invitation', () => {
  const invitation = (role: 'viewer' | 'administrator' | 'owner') => ({
    domainName: 'ville-exemple.fr',
    role,
    inviterName: 'Hélène Martin',
    email: 'agent@ville-exemple.fr',
    appUrl: 'https://desk.example.gouv.fr/',
  });

  it('names the domain, the role and the inviter in English, with a link to Desk', async () => {
    const mail = await render('maildomain_invitation', 'en-us', invitation('viewer'));
    expect(mail.subject).toBe('Invitation to manage the mail domain ville-exemple.fr');
    expect(mail.text).toContain(
      'Hélène Martin invites you to manage the mail domain ville-exemple.fr as viewer.',
    );
    expect(mail.text).toContain('agent@ville-exemple.fr');
    expect(mail.html).toContain('href="https://desk.example.gouv.fr/"');
  });

  it('names each role in French', async () => {
    const texts = await Promise.all(
      (['viewer', 'administrator', 'owner'] as const).map(
        async (role) => (await render('maildomain_invitation', 'fr-fr', invitation(role))).text,
      ),
    );
    expect(texts[0]).toContain(
      'vous invite à gérer le domaine de messagerie ville-exemple.fr en tant que lecteur.',
    );
    expect(texts[1]).toContain('en tant qu’administrateur.');
    expect(texts[2]).toContain('en tant que propriétaire.');
    const fr = await render('maildomain_invitation', 'fr-fr', invitation('owner'));
    expect(fr.subject).toBe('Invitation à gérer le domaine de messagerie ville-exemple.fr');
  });
});

describe('the new mailbox mail', () => {
  it('gives the address and the one-time login link, valid one hour, in English and in French', async () => {
    const en = await render('mailbox_created', 'en-us', { email: MAILBOX, loginLink: LOGIN_LINK });
    expect(en.subject).toBe(`Your mailbox ${MAILBOX} is ready`);
    expect(en.html).toContain(`<b>${MAILBOX}</b>`);
    expect(en.html).toContain(`href="${LOGIN_LINK}"`);
    expect(en.text).toContain('it works once and for one hour');
    expect(en.text).toContain(LOGIN_LINK);
    const fr = await render('mailbox_created', 'fr-fr', { email: MAILBOX, loginLink: LOGIN_LINK });
    expect(fr.subject).toBe(`Votre boîte mail ${MAILBOX} est prête`);
    expect(fr.text).toContain('valable une heure');
    expect(fr.html).toContain(`href="${LOGIN_LINK}"`);
  });

  it('without a login link, says the administrator gives a way to sign in, and never speaks of a password', async () => {
    const en = await render('mailbox_created', 'en-us', { email: MAILBOX, webmailUrl: WEBMAIL_URL });
    expect(en.text).toContain('Your administrator will give you a way to sign in');
    expect(en.html).toContain(`href="${WEBMAIL_URL}"`);
    expect(en.text).not.toMatch(/password/i);
    const fr = await render('mailbox_created', 'fr-fr', { email: MAILBOX });
    expect(fr.text).toContain('Votre administrateur vous donnera un moyen de vous connecter');
    expect(fr.text).not.toMatch(/mot de passe/i);
    expect(fr.html).not.toContain('Ouvrir la messagerie');
  });
});

describe('the login link mail', () => {
  it('gives the one-time link to the mailbox, valid one hour, in English and in French', async () => {
    const en = await render('mailbox_login_link', 'en-us', { email: MAILBOX, loginLink: LOGIN_LINK });
    expect(en.subject).toBe(`Your login link to ${MAILBOX}`);
    expect(en.text).toContain(
      `Here is your one-time link to sign in to ${MAILBOX}. It is valid for one hour.`,
    );
    expect(en.text).toContain(LOGIN_LINK);
    expect(en.html).toContain(`href="${LOGIN_LINK}"`);
    const fr = await render('mailbox_login_link', 'fr-fr', { email: MAILBOX, loginLink: LOGIN_LINK });
    expect(fr.subject).toBe(`Votre lien de connexion à ${MAILBOX}`);
    expect(fr.text).toContain('lien à usage unique');
    expect(fr.html).toContain(`href="${LOGIN_LINK}"`);
  });
});

describe('the password reset mail', () => {
  const password = 'Kp4-ray9-Lq2';

  it('gives the new password and asks to change it, in English and in French', async () => {
    const en = await render('mailbox_password_reset', 'en-us', {
      email: MAILBOX,
      password,
      webmailUrl: WEBMAIL_URL,
    });
    expect(en.subject).toBe(`Your new password for ${MAILBOX}`);
    expect(en.text).toContain(`New password: ${password}`);
    expect(en.html).toContain(password);
    expect(en.text).toContain('Change it once you have signed in');
    expect(en.html).toContain(`href="${WEBMAIL_URL}"`);
    const fr = await render('mailbox_password_reset', 'fr-fr', { email: MAILBOX, password });
    expect(fr.subject).toBe(`Votre nouveau mot de passe pour ${MAILBOX}`);
    expect(fr.text).toContain(`Nouveau mot de passe : ${password}`);
    expect(fr.text).toContain('Changez-le une fois connecté');
  });

  it('has a webmail button only when the webmail address is known', async () => {
    const without = await render('mailbox_password_reset', 'en-us', { email: MAILBOX, password });
    expect(without.html).not.toContain('Open the webmail');
    expect(without.text.trimEnd().endsWith('then delete this message.')).toBe(true);
  });
});

describe('names and addresses in the HTML of every mail-domain mail', () => {
  const hostile = '<img src=x onerror=alert(1)>';
  const contexts: { [T in (typeof NEW_TEMPLATES)[number]]: TemplateContext<T> } = {
    maildomain_status: {
      domainName: `${hostile}.fr`,
      status: 'action_required',
      manageUrl: `${MANAGE_URL}?"${hostile}`,
      details: [`MX ${hostile}`],
    },
    maildomain_invitation: {
      domainName: `${hostile}.fr`,
      role: 'owner',
      inviterName: hostile,
      email: `${hostile}@example.fr`,
      appUrl: 'https://desk.example.gouv.fr/',
    },
    mailbox_created: { email: `${hostile}@example.fr`, loginLink: `${LOGIN_LINK}"${hostile}` },
    mailbox_login_link: { email: `${hostile}@example.fr`, loginLink: `${LOGIN_LINK}"${hostile}` },
    mailbox_password_reset: {
      email: `${hostile}@example.fr`,
      password: `${hostile}"'&`,
      webmailUrl: WEBMAIL_URL,
    },
  };

  for (const template of NEW_TEMPLATES)
    it(`are escaped in ${template}`, async () => {
      for (const language of ['en-us', 'fr-fr']) {
        const mail = await renderMail(template, language, contexts[template]);
        expect(mail.html).not.toContain('<img src=x');
        expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      }
    });
});

describe('every mail-domain mail', () => {
  it('compiles without an MJML error in English and in French', async () => {
    // renderMail rejects a template whose MJML has errors.
    for (const template of NEW_TEMPLATES)
      for (const language of ['en-us', 'fr-fr'])
        await expect(
          renderMail(template, language, SAMPLES[template]),
          `${template} ${language}`,
        ).resolves.toEqual(expect.objectContaining({ html: expect.stringContaining('<!doctype html>') }));
  });
});

describe('development previews', () => {
  it('list the mail-domain mails', async () => {
    const res = await t.browser().get('/__debug__/mail/');
    expect(res.status).toBe(200);
    const listed = (res.json as { template: string; html: string }[]).map((m) => m.template);
    expect(listed).toEqual(expect.arrayContaining([...NEW_TEMPLATES]));
  });

  it('show each mail-domain mail as HTML, and as text in French', async () => {
    for (const template of NEW_TEMPLATES) {
      const html = await t.browser().get(`/__debug__/mail/${template}_html`);
      expect(html.status, template).toBe(200);
      expect(html.headers.get('content-type')).toContain('text/html');
      const text = await t.browser().get(`/__debug__/mail/${template}_txt?lang=fr-fr`);
      expect(text.status, template).toBe(200);
      expect(text.headers.get('content-type')).toContain('text/plain');
    }
    const status = await t.browser().get('/__debug__/mail/maildomain_status_txt?lang=fr-fr');
    expect(status.text).toContain('Action requise sur votre domaine de messagerie');
  });
});
