// Reactions of other features to users appearing, signing in or changing email (profile contact, invitations), run in the same transaction.
import type { Db } from '../platform/database.ts';
import type { User } from './schema.ts';

export type UserHook = (tx: Db, user: User) => Promise<void>;

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

  /** An existing user signed in again (invitations made to their address meanwhile become theirs). */
  onSignedIn(hook: UserHook): void {
    this.signedIn.push(hook);
  }

  async userSignedIn(tx: Db, user: User): Promise<void> {
    for (const hook of this.signedIn) await hook(tx, user);
  }

  async userCreated(tx: Db, user: User): Promise<void> {
    for (const hook of this.created) await hook(tx, user);
  }

  async userEmailChanged(tx: Db, user: User): Promise<void> {
    for (const hook of this.emailChanged) await hook(tx, user);
  }
}
