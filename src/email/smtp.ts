// Delivery over SMTP (nodemailer) when EMAIL_HOST is set, every step bounded in time.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../platform/config.ts';
import type { Mailer, MailMessage } from './index.ts';

export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(private readonly config: Config) {
    this.transport = nodemailer.createTransport({
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
    });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.config.EMAIL_FROM,
      to: message.to,
      subject: message.subject,
      html: message.html,
      text: message.text,
    });
  }

  close(): void {
    this.transport.close();
  }
}

/** SMTP when EMAIL_HOST is set; otherwise null: mail stays in the outbox for /__debug__/outbox. */
export function createMailer(config: Config): SmtpMailer | null {
  return config.EMAIL_HOST ? new SmtpMailer(config) : null;
}
