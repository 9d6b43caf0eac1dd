// The mails Desk sends, in English and French: MJML for HTML, a plain-text twin, one function per template.
import { escapeHtml } from '../platform/html.ts';

export { escapeHtml };

export type Language = 'en-us' | 'fr-fr';

export interface Rendered {
  subject: string;
  mjml: string;
  text: string;
}

/** `heading`, `paragraphs` and `footer` are markup (their user-given parts already escaped); a mail may have no button. */
function layout(
  heading: string,
  paragraphs: string[],
  button: { label: string; url: string } | undefined,
  footer: string,
): string {
  const body = paragraphs
    .map((p) => `<mj-text font-size="15px" line-height="22px">${p}</mj-text>`)
    .join('\n');
  const action = button
    ? `<mj-button href="${escapeHtml(button.url)}" background-color="#000091" color="#ffffff" font-size="15px">${button.label}</mj-button>`
    : '';
  return `<mjml>
  <mj-head><mj-attributes><mj-all font-family="Marianne, Arial, sans-serif" color="#161616" /></mj-attributes></mj-head>
  <mj-body background-color="#f6f6f6">
    <mj-section background-color="#ffffff" padding="32px 24px">
      <mj-column>
        <mj-text font-size="22px" font-weight="bold">${heading}</mj-text>
        ${body}
        ${action}
        <mj-text font-size="12px" color="#666666">${footer}</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;
}

const ROLE_NAMES: Record<Language, Record<string, string>> = {
  'en-us': {
    member: 'member',
    administrator: 'administrator',
    owner: 'owner',
    reader: 'reader',
    editor: 'editor',
    viewer: 'viewer',
  },
  'fr-fr': {
    member: 'membre',
    administrator: 'administrateur',
    owner: 'propriétaire',
    reader: 'lecteur',
    editor: 'éditeur',
    viewer: 'lecteur',
  },
};

/** "as <role>" in the language ("en tant qu’administrateur": French elides before a vowel). */
function asRole(lang: Language, role: string): string {
  const name = ROLE_NAMES[lang][role] ?? role;
  if (lang !== 'fr-fr') return `as ${name}`;
  return /^[aeiouyéèêh]/i.test(name) ? `en tant qu’${name}` : `en tant que ${name}`;
}

export interface TeamInvitationContext {
  teamName: string;
  role: string;
  inviterName: string;
  email: string;
  appUrl: string;
}

function teamInvitation(lang: Language, c: TeamInvitationContext): Rendered {
  const role = asRole(lang, c.role);
  const inviter = c.inviterName || (lang === 'fr-fr' ? 'Un collègue' : 'A colleague');
  if (lang === 'fr-fr') {
    const subject = `Invitation à rejoindre l'équipe ${c.teamName}`;
    return {
      subject,
      mjml: layout(
        escapeHtml(subject),
        [
          `${escapeHtml(inviter)} vous invite à rejoindre l'équipe <b>${escapeHtml(c.teamName)}</b> ${escapeHtml(role)}.`,
          `Connectez-vous avec votre adresse ${escapeHtml(c.email)} pour accepter : l'invitation est valable 7 jours.`,
        ],
        { label: 'Rejoindre l’équipe', url: c.appUrl },
        'Vous recevez ce message parce que quelqu’un vous a invité sur Desk.',
      ),
      text: `${subject}\n\n${inviter} vous invite à rejoindre l'équipe ${c.teamName} ${role}.\nConnectez-vous avec votre adresse ${c.email} pour accepter : l'invitation est valable 7 jours.\n\n${c.appUrl}\n`,
    };
  }
  const subject = `Invitation to join the team ${c.teamName}`;
  return {
    subject,
    mjml: layout(
      escapeHtml(subject),
      [
        `${escapeHtml(inviter)} invites you to join the team <b>${escapeHtml(c.teamName)}</b> ${escapeHtml(role)}.`,
        `Sign in with your address ${escapeHtml(c.email)} to accept: the invitation is valid for 7 days.`,
      ],
      { label: 'Join the team', url: c.appUrl },
      'You receive this message because someone invited you on Desk.',
    ),
    text: `${subject}\n\n${inviter} invites you to join the team ${c.teamName} ${role}.\nSign in with your address ${c.email} to accept: the invitation is valid for 7 days.\n\n${c.appUrl}\n`,
  };
}

export interface DocumentCreatedContext {
  title: string;
  documentUrl: string;
  subject?: string;
  message?: string;
}

function documentCreated(lang: Language, c: DocumentCreatedContext): Rendered {
  const fr = lang === 'fr-fr';
  const subject =
    c.subject ??
    (fr ? `Un document a été créé pour vous : ${c.title}` : `A document was created for you: ${c.title}`);
  const intro = fr
    ? `Le document « ${c.title} » a été créé pour vous sur Desk.`
    : `The document “${c.title}” was created for you on Desk.`;
  const paragraphs = [
    escapeHtml(intro),
    ...(c.message ? [escapeHtml(c.message).replaceAll('\n', '<br/>')] : []),
  ];
  return {
    subject,
    mjml: layout(
      escapeHtml(subject),
      paragraphs,
      { label: fr ? 'Ouvrir le document' : 'Open the document', url: c.documentUrl },
      fr ? 'Connectez-vous avec votre compte pour y accéder.' : 'Sign in with your account to open it.',
    ),
    text: `${subject}\n\n${intro}\n${c.message ? `\n${c.message}\n` : ''}\n${c.documentUrl}\n`,
  };
}

// Stands for a name or address in a sentence while the sentence is escaped (no name or address holds it).
const MARK = '\u0000';

/** A sentence written around MARK, as markup: escaped, with `value` in bold where MARK stands. */
function boldIn(sentence: string, value: string): string {
  return escapeHtml(sentence).replace(MARK, `<b>${escapeHtml(value)}</b>`);
}

/** The plain-text twin: the subject, its lines, then the button's address when there is one. */
function plainText(subject: string, lines: string[], url?: string): string {
  return `${subject}\n\n${lines.join('\n')}\n${url ? `\n${url}\n` : ''}`;
}

export type MailDomainMailStatus = 'enabled' | 'action_required' | 'failed';

export interface MailDomainStatusContext {
  domainName: string;
  status: MailDomainMailStatus;
  manageUrl: string;
  /** What the mail platform says must be fixed, listed when the status is action_required; may be empty. */
  details: string[];
}

interface StatusWords {
  subject: (domain: string) => string;
  /** The sentences about the domain; `listed` when the details follow them. */
  lines: (domain: string, listed: boolean) => string[];
}

const DOMAIN_STATUS_WORDS: Record<Language, Record<MailDomainMailStatus, StatusWords>> = {
  'en-us': {
    enabled: {
      subject: (d) => `Your mail domain ${d} is ready`,
      lines: (d) => [`The mail domain ${d} is set up: its mailboxes and aliases can be created now.`],
    },
    action_required: {
      subject: (d) => `Action required on your mail domain ${d}`,
      lines: (d, listed) => [
        listed
          ? `The mail domain ${d} cannot be used until the following is fixed:`
          : `The mail domain ${d} cannot be used until some of its settings are fixed: its page in Desk shows which.`,
      ],
    },
    failed: {
      subject: (d) => `Your mail domain ${d} could not be set up`,
      lines: (d) => [
        `The mail platform reports an error on the mail domain ${d}. While it lasts, the domain's mailboxes stay disabled.`,
        'You can follow the status of the domain on its page in Desk.',
      ],
    },
  },
  'fr-fr': {
    enabled: {
      subject: (d) => `Votre domaine de messagerie ${d} est prêt`,
      lines: (d) => [
        `Le domaine de messagerie ${d} est configuré : vous pouvez maintenant y créer des boîtes mail et des alias.`,
      ],
    },
    action_required: {
      subject: (d) => `Action requise sur votre domaine de messagerie ${d}`,
      lines: (d, listed) => [
        listed
          ? `Le domaine de messagerie ${d} ne peut pas être utilisé tant que les points suivants ne sont pas corrigés :`
          : `Le domaine de messagerie ${d} ne peut pas être utilisé tant que certains de ses réglages ne sont pas corrigés : sa page dans Desk indique lesquels.`,
      ],
    },
    failed: {
      subject: (d) => `Votre domaine de messagerie ${d} n'a pas pu être configuré`,
      lines: (d) => [
        `La plateforme de messagerie signale une erreur sur le domaine de messagerie ${d}. Tant qu'elle dure, les boîtes mail du domaine restent désactivées.`,
        'Vous pouvez suivre l’état du domaine sur sa page dans Desk.',
      ],
    },
  },
};

/** To the domain's support address when the mail platform changes the domain's status. */
function mailDomainStatus(lang: Language, c: MailDomainStatusContext): Rendered {
  const fr = lang === 'fr-fr';
  const words = DOMAIN_STATUS_WORDS[lang][c.status];
  const details = c.status === 'action_required' ? c.details : [];
  const listed = details.length > 0;
  const subject = words.subject(c.domainName);
  const list = listed
    ? [
        `<ul style="margin: 0; padding-left: 20px;">${details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>`,
      ]
    : [];
  return {
    subject,
    mjml: layout(
      escapeHtml(subject),
      [...words.lines(MARK, listed).map((line) => boldIn(line, c.domainName)), ...list],
      { label: fr ? 'Gérer le domaine' : 'Manage the domain', url: c.manageUrl },
      escapeHtml(
        fr
          ? `Vous recevez ce message parce que cette adresse est le contact support du domaine de messagerie ${c.domainName}.`
          : `You receive this message because this address is the support contact of the mail domain ${c.domainName}.`,
      ),
    ),
    text: plainText(
      subject,
      [...words.lines(c.domainName, listed), ...details.map((d) => `- ${d}`)],
      c.manageUrl,
    ),
  };
}

export interface MailDomainInvitationContext {
  domainName: string;
  role: 'viewer' | 'administrator' | 'owner';
  inviterName: string;
  email: string;
  appUrl: string;
}

/** To an address invited to manage a mail domain, in the inviter's language. */
function mailDomainInvitation(lang: Language, c: MailDomainInvitationContext): Rendered {
  const fr = lang === 'fr-fr';
  const role = asRole(lang, c.role);
  const inviter = c.inviterName || (fr ? 'Un collègue' : 'A colleague');
  const subject = fr
    ? `Invitation à gérer le domaine de messagerie ${c.domainName}`
    : `Invitation to manage the mail domain ${c.domainName}`;
  const invites = (domain: string) =>
    fr
      ? `${inviter} vous invite à gérer le domaine de messagerie ${domain} ${role}.`
      : `${inviter} invites you to manage the mail domain ${domain} ${role}.`;
  const signIn = fr
    ? `Connectez-vous à Desk avec votre adresse ${c.email} pour accepter.`
    : `Sign in to Desk with your address ${c.email} to accept.`;
  return {
    subject,
    mjml: layout(
      escapeHtml(subject),
      [boldIn(invites(MARK), c.domainName), escapeHtml(signIn)],
      { label: fr ? 'Ouvrir Desk' : 'Open Desk', url: c.appUrl },
      fr
        ? 'Vous recevez ce message parce que quelqu’un vous a invité sur Desk.'
        : 'You receive this message because someone invited you on Desk.',
    ),
    text: plainText(subject, [invites(c.domainName), signIn], c.appUrl),
  };
}

/** The footer of the mails about a mailbox, sent to its secondary address. */
function secondaryAddressFooter(lang: Language, mailbox: string): string {
  return escapeHtml(
    lang === 'fr-fr'
      ? `Vous recevez ce message parce que cette adresse est l’adresse secondaire de la boîte mail ${mailbox}.`
      : `You receive this message because this address is the secondary address of the mailbox ${mailbox}.`,
  );
}

const webmailLabel = (lang: Language) => (lang === 'fr-fr' ? 'Ouvrir la messagerie' : 'Open the webmail');

export interface MailboxCreatedContext {
  /** The new mailbox's address. */
  email: string;
  /** A one-time sign-in link, valid one hour. */
  loginLink?: string;
  webmailUrl?: string;
}

/**
 * To the secondary address of a new mailbox. Never a password: the one-time login link is how its owner gets in;
 * without one, their administrator gives them a way to sign in.
 */
function mailboxCreated(lang: Language, c: MailboxCreatedContext): Rendered {
  const fr = lang === 'fr-fr';
  const subject = fr ? `Votre boîte mail ${c.email} est prête` : `Your mailbox ${c.email} is ready`;
  const created = (mailbox: string) =>
    fr ? `La boîte mail ${mailbox} a été créée pour vous.` : `The mailbox ${mailbox} was created for you.`;
  const access = c.loginLink
    ? fr
      ? [
          'Connectez-vous une première fois avec le lien ci-dessous : il ne sert qu’une fois et reste valable une heure.',
          'S’il a expiré, demandez un nouveau lien de connexion à votre administrateur.',
        ]
      : [
          'Sign in for the first time with the link below: it works once and for one hour.',
          'If it has expired, ask your administrator for a new login link.',
        ]
    : fr
      ? [
          'Votre administrateur vous donnera un moyen de vous connecter ; vous pouvez aussi lui demander un lien de connexion.',
        ]
      : ['Your administrator will give you a way to sign in; you can also ask them for a login link.'];
  const button = c.loginLink
    ? { label: fr ? 'Me connecter à ma boîte mail' : 'Sign in to my mailbox', url: c.loginLink }
    : c.webmailUrl
      ? { label: webmailLabel(lang), url: c.webmailUrl }
      : undefined;
  return {
    subject,
    mjml: layout(
      escapeHtml(subject),
      [boldIn(created(MARK), c.email), ...access.map(escapeHtml)],
      button,
      secondaryAddressFooter(lang, c.email),
    ),
    text: plainText(subject, [created(c.email), ...access], button?.url),
  };
}

export interface MailboxLoginLinkContext {
  email: string;
  /** A one-time sign-in link, valid one hour. */
  loginLink: string;
}

/** A one-time link to sign in to a mailbox, to its secondary address. */
function mailboxLoginLink(lang: Language, c: MailboxLoginLinkContext): Rendered {
  const fr = lang === 'fr-fr';
  const subject = fr ? `Votre lien de connexion à ${c.email}` : `Your login link to ${c.email}`;
  const here = (mailbox: string) =>
    fr
      ? `Voici votre lien à usage unique pour vous connecter à ${mailbox}. Il est valable une heure.`
      : `Here is your one-time link to sign in to ${mailbox}. It is valid for one hour.`;
  return {
    subject,
    mjml: layout(
      escapeHtml(subject),
      [boldIn(here(MARK), c.email), `<a href="${escapeHtml(c.loginLink)}">${escapeHtml(c.loginLink)}</a>`],
      { label: fr ? 'Me connecter' : 'Sign in', url: c.loginLink },
      secondaryAddressFooter(lang, c.email),
    ),
    text: plainText(subject, [here(c.email)], c.loginLink),
  };
}

export interface MailboxPasswordResetContext {
  email: string;
  /** The new password: queue this mail with `secret: ['password']` so that the outbox forgets it once sent. */
  password: string;
  webmailUrl?: string;
}

/** The new password of a mailbox an administrator reset, to its secondary address. */
function mailboxPasswordReset(lang: Language, c: MailboxPasswordResetContext): Rendered {
  const fr = lang === 'fr-fr';
  const subject = fr ? `Votre nouveau mot de passe pour ${c.email}` : `Your new password for ${c.email}`;
  const reset = (mailbox: string) =>
    fr
      ? `Le mot de passe de la boîte mail ${mailbox} a été réinitialisé par un administrateur.`
      : `The password of the mailbox ${mailbox} was reset by an administrator.`;
  const label = fr ? 'Nouveau mot de passe :' : 'New password:';
  const advice = fr
    ? 'Changez-le une fois connecté, puis supprimez ce message.'
    : 'Change it once you have signed in, then delete this message.';
  return {
    subject,
    mjml: layout(
      escapeHtml(subject),
      [
        boldIn(reset(MARK), c.email),
        `${escapeHtml(label)} <b style="font-family: monospace; font-size: 17px;">${escapeHtml(c.password)}</b>`,
        escapeHtml(advice),
      ],
      c.webmailUrl ? { label: webmailLabel(lang), url: c.webmailUrl } : undefined,
      secondaryAddressFooter(lang, c.email),
    ),
    text: plainText(subject, [reset(c.email), `${label} ${c.password}`, advice], c.webmailUrl),
  };
}

export const TEMPLATES = {
  team_invitation: teamInvitation,
  document_created: documentCreated,
  maildomain_status: mailDomainStatus,
  maildomain_invitation: mailDomainInvitation,
  mailbox_created: mailboxCreated,
  mailbox_login_link: mailboxLoginLink,
  mailbox_password_reset: mailboxPasswordReset,
} as const;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateContext<T extends TemplateName> = Parameters<(typeof TEMPLATES)[T]>[1];

/** Sample contexts for the development previews. */
export const SAMPLES: { [T in TemplateName]: TemplateContext<T> } = {
  team_invitation: {
    teamName: 'Équipe <Numérique>',
    role: 'administrator',
    inviterName: 'Hélène Martin',
    email: 'agent@example.gouv.fr',
    appUrl: 'http://127.0.0.1:8071/',
  },
  document_created: {
    title: 'Rapport annuel',
    documentUrl: 'http://127.0.0.1:8071/documents/00000000-0000-0000-0000-000000000000/',
    message: 'Voici le rapport demandé.',
  },
  maildomain_status: {
    domainName: 'ville-<exemple>.fr',
    status: 'action_required',
    manageUrl: 'http://127.0.0.1:8071/mail-domains/ville-exemple-fr/',
    details: ['MX: 10 mx.ville-exemple.fr is expected', 'SPF: the TXT record is missing'],
  },
  maildomain_invitation: {
    domainName: 'ville-<exemple>.fr',
    role: 'administrator',
    inviterName: 'Hélène Martin',
    email: 'agent@example.gouv.fr',
    appUrl: 'http://127.0.0.1:8071/',
  },
  mailbox_created: {
    email: 'jean.dupont@ville-exemple.fr',
    loginLink: 'http://127.0.0.1:8071/webmail/code/0123456789',
    webmailUrl: 'http://127.0.0.1:8071/webmail/',
  },
  mailbox_login_link: {
    email: 'jean.dupont@ville-exemple.fr',
    loginLink: 'http://127.0.0.1:8071/webmail/code/0123456789',
  },
  mailbox_password_reset: {
    email: 'jean.dupont@ville-exemple.fr',
    password: 'Xq7-sample-password',
    webmailUrl: 'http://127.0.0.1:8071/webmail/',
  },
};

export function languageOf(code: string | null | undefined): Language {
  return code === 'fr-fr' ? 'fr-fr' : 'en-us';
}
