// Reactions of other features to users appearing, signing in or changing email (profile contact, invitations), run in the same transaction.
import type { Db } from '../platform/database.ts';
import type { User } from './schema.ts';

/** Where the sign-in that triggers a hook came from, for the audit rows the hook writes. */
export interface SignInContext {
  ip?: string | null;
  requestId?: string | null;
  /** A client's X-Request-Id not believed (src/platform/request-id.ts). */
  clientRequestId?: string;
  /**
   * The email this login proved (verified by the provider, or trusted through OIDC_TRUST_PROVIDER_EMAILS; DESIGN.md
   * §5); absent when it proved none. A stored email may predate that rule: sign-in hooks keyed on the address act
   * only when this equals it.
   */
  verifiedEmail?: string;
}

/**
 * A reaction to a user. On creation and email change the user's email is one the provider verified (DESIGN.md §5),
 * or one staff or a trusted back-end set: sign-in never stores an unverified one. On a later sign-in the stored
 * email may be one kept from before that rule: see SignInContext.verifiedEmail.
 */
export type UserHook = (tx: Db, user: User, context?: SignInContext) => Promise<void>;

/** Registered once at start-up by app.ts; the users slice calls them without knowing the features behind. */
export class UserLifecycle {
  private readonly created: UserHook[] = [];
  private readonly emailChanged: UserHook[] = [];
  private readonly signedIn: UserHook[] = [];

  onCreated(hook: UserHook): void {
    this.created.push(hook);
  }

  onEmailChanged(hook: UserHook): void {
    this.emailChanged.push(hook);
  }

  /**
   * An existing user signed in again (invitations made to their address meanwhile become theirs, when this login
   * proved that address: context.verifiedEmail).
   */
  onSignedIn(hook: UserHook): void {
    this.signedIn.push(hook);
  }

  async userSignedIn(tx: Db, user: User, context?: SignInContext): Promise<void> {
    for (const hook of this.signedIn) await hook(tx, user, context);
  }

  async userCreated(tx: Db, user: User, context?: SignInContext): Promise<void> {
    for (const hook of this.created) await hook(tx, user, context);
  }

  async userEmailChanged(tx: Db, user: User, context?: SignInContext): Promise<void> {
    for (const hook of this.emailChanged) await hook(tx, user, context);
  }
}
