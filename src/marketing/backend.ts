// The one interface an onboarding (marketing) backend implements; a new backend is one module.

export interface MarketingContact {
  email: string;
  /** Extra attributes for this contact, merged over the configured ones. */
  attributes?: Record<string, unknown>;
}

export interface MarketingBackend {
  readonly name: string;
  /** Registers the contact, creating or updating it; throws on failure (the job is retried). */
  signup(contact: MarketingContact): Promise<void>;
}

/** A failure that says what failed without the contact's email address (it must not reach the logs). */
export class MarketingFailure extends Error {}
