// Delivery over SMTP (nodemailer) when EMAIL_HOST is set, every step bounded in time.
import type { Transporter } from 'nodemailer';
import type { Config } from '../platform/config.ts';
import type { Mailer, MailMessage } from './index.ts';

export class SmtpMailer implements Mailer {
  // nodemailer (14 MB) loads with the first mail sent, not at start.
  private transport: Promise<Transporter> | undefined;

  constructor(private readonly config: Config) {}

  private transporter(): Promise<Transporter> {
    const config = this.config;
    this.transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: config.EMAIL_HOST,
        port: config.EMAIL_PORT,
        secure: config.EMAIL_USE_TLS && config.EMAIL_PORT === 465,
        requireTLS: config.EMAIL_USE_TLS && config.EMAIL_PORT !== 465,
        ...(config.EMAIL_HOST_USER
          ? { auth: { user: config.EMAIL_HOST_USER, pass: config.EMAIL_HOST_PASSWORD ?? '' } }
          : {}),
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      }),
    );
    return this.transport;
  }

  async send(message: MailMessage): Promise<void> {
    await (await this.transporter()).sendMail({
      from: this.config.EMAIL_FROM,
      to: message.to,
      subject: message.subject,
      html: message.html,
      text: message.text,
    });
  }

  close(): void {
    void this.transport?.then((transport) => transport.close());
  }
}

/** SMTP when EMAIL_HOST is set; otherwise null: mail stays in the outbox for /__debug__/outbox. */
export function createMailer(config: Config): SmtpMailer | null {
  return config.EMAIL_HOST ? new SmtpMailer(config) : null;
}
