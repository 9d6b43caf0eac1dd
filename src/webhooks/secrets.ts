// A webhook's secret at rest (DESIGN.md §12): Desk must send it, so it is encrypted, not hashed — AES-256-GCM under a
// key derived from SECRET_KEY (HKDF-SHA256, its own purpose string), authenticated with the webhook's id so a
// ciphertext copied onto another webhook does not decrypt. The nonce is derived from the webhook's id and the secret
// (an HMAC, as SIV modes do): the same secret of the same webhook encrypts the same way, so a second import from people
// sees nothing changed, and a nonce is never reused for another plaintext.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

const VERSION = 'v1';

export class SecretUnreadable extends Error {
  constructor() {
    super('The secret of this webhook cannot be read (SECRET_KEY changed since it was set): set it again.');
  }
}

export class WebhookSecrets {
  private readonly key: Buffer;
  private readonly nonceKey: Buffer;

  constructor(secretKey: string) {
    this.key = Buffer.from(hkdfSync('sha256', secretKey, 'desk', 'team webhook secrets', 32));
    this.nonceKey = Buffer.from(hkdfSync('sha256', secretKey, 'desk', 'team webhook secret nonces', 32));
  }

  encrypt(secret: string, webhookId: string): string {
    const iv = createHmac('sha256', this.nonceKey).update(`${webhookId}\0${secret}`).digest().subarray(0, 12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(webhookId));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${VERSION}.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${sealed.toString('base64url')}`;
  }

  decrypt(stored: string, webhookId: string): string {
    const [version, iv, tag, sealed] = stored.split('.');
    if (version !== VERSION || !iv || !tag || sealed === undefined) throw new SecretUnreadable();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(webhookId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretUnreadable();
    }
  }
}
