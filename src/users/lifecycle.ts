// Reactions of other features to users appearing or changing email (profile contact, invitations), run in the same transaction.
import type { Db } from '../platform/database.ts';
import type { User } from './schema.ts';

export type UserHook = (tx: Db, user: User) => Promise<void>;

/** Registered once at start-up by app.ts; the users slice calls them without knowing the features behind. */
export class UserLifecycle {
  private readonly created: UserHook[] = [];
  private readonly emailChanged: UserHook[] = [];

  onCreated(hook: UserHook): void {
    this.created.push(hook);
  }

  onEmailChanged(hook: UserHook): void {
    this.emailChanged.push(hook);
  }

  async userCreated(tx: Db, user: User): Promise<void> {
    for (const hook of this.created) await hook(tx, user);
  }

  async userEmailChanged(tx: Db, user: User): Promise<void> {
    for (const hook of this.emailChanged) await hook(tx, user);
  }
}
