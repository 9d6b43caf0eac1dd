// The mails Desk sends, in English and French: MJML for HTML, a plain-text twin, one function per template.
import { escapeHtml } from '../platform/html.ts';

export { escapeHtml };

export type Language = 'en-us' | 'fr-fr';

export interface Rendered {
  subject: string;
  mjml: string;
  text: string;
}

function layout(
  heading: string,
  paragraphs: string[],
  button: { label: string; url: string },
  footer: string,
): string {
  const body = paragraphs
    .map((p) => `<mj-text font-size="15px" line-height="22px">${p}</mj-text>`)
    .join('\n');
  return `<mjml>
  <mj-head><mj-attributes><mj-all font-family="Marianne, Arial, sans-serif" color="#161616" /></mj-attributes></mj-head>
  <mj-body background-color="#f6f6f6">
    <mj-section background-color="#ffffff" padding="32px 24px">
      <mj-column>
        <mj-text font-size="22px" font-weight="bold">${heading}</mj-text>
        ${body}
        <mj-button href="${escapeHtml(button.url)}" background-color="#000091" color="#ffffff" font-size="15px">${button.label}</mj-button>
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
  },
  'fr-fr': {
    member: 'membre',
    administrator: 'administrateur',
    owner: 'propriétaire',
    reader: 'lecteur',
    editor: 'éditeur',
  },
};

export interface TeamInvitationContext {
  teamName: string;
  role: string;
  inviterName: string;
  email: string;
  appUrl: string;
}

function teamInvitation(lang: Language, c: TeamInvitationContext): Rendered {
  const role = ROLE_NAMES[lang][c.role] ?? c.role;
  const inviter = c.inviterName || (lang === 'fr-fr' ? 'Un collègue' : 'A colleague');
  if (lang === 'fr-fr') {
    const subject = `Invitation à rejoindre l'équipe ${c.teamName}`;
    return {
      subject,
      mjml: layout(
        escapeHtml(subject),
        [
          `${escapeHtml(inviter)} vous invite à rejoindre l'équipe <b>${escapeHtml(c.teamName)}</b> en tant que ${escapeHtml(role)}.`,
          `Connectez-vous avec votre adresse ${escapeHtml(c.email)} pour accepter : l'invitation est valable 7 jours.`,
        ],
        { label: 'Rejoindre l’équipe', url: c.appUrl },
        'Vous recevez ce message parce que quelqu’un vous a invité sur Desk.',
      ),
      text: `${subject}\n\n${inviter} vous invite à rejoindre l'équipe ${c.teamName} en tant que ${role}.\nConnectez-vous avec votre adresse ${c.email} pour accepter : l'invitation est valable 7 jours.\n\n${c.appUrl}\n`,
    };
  }
  const subject = `Invitation to join the team ${c.teamName}`;
  return {
    subject,
    mjml: layout(
      escapeHtml(subject),
      [
        `${escapeHtml(inviter)} invites you to join the team <b>${escapeHtml(c.teamName)}</b> as ${escapeHtml(role)}.`,
        `Sign in with your address ${escapeHtml(c.email)} to accept: the invitation is valid for 7 days.`,
      ],
      { label: 'Join the team', url: c.appUrl },
      'You receive this message because someone invited you on Desk.',
    ),
    text: `${subject}\n\n${inviter} invites you to join the team ${c.teamName} as ${role}.\nSign in with your address ${c.email} to accept: the invitation is valid for 7 days.\n\n${c.appUrl}\n`,
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

export const TEMPLATES = {
  team_invitation: teamInvitation,
  document_created: documentCreated,
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
};

export function languageOf(code: string | null | undefined): Language {
  return code === 'fr-fr' ? 'fr-fr' : 'en-us';
}
