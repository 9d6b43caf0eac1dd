// A real SMTP server (smtp-server) on loopback that keeps what it receives, parsed with mailparser.
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  port: number;
  received: ParsedMail[];
  /** Refuse the next n messages with a temporary error (421). */
  refuseNext: number;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const sink = { received: [] as ParsedMail[], refuseNext: 0 } as SmtpSink;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (sink.refuseNext > 0) {
          sink.refuseNext -= 1;
          const error = Object.assign(new Error('Try again later'), { responseCode: 421 });
          callback(error);
          return;
        }
        simpleParser(Buffer.concat(chunks)).then((mail) => {
          sink.received.push(mail);
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  sink.port = typeof address === 'object' && address ? address.port : 0;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
