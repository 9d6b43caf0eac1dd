// The rules of contacts: shared ones readable by all, only owners edit, profiles stay, overrides are personal and one level deep.
import type { Database, Db } from '../platform/database.ts';
import { BadRequest, NotFound, PermissionDenied, ValidationFailed } from '../platform/errors.ts';
import type { User } from '../users/index.ts';
import type { ContactData } from './data-schema.ts';
import { deleteContact, insertContact, listContacts, updateContact, visibleContact } from './queries.ts';
import type { Contact } from './schema.ts';

export interface ContactInput {
  full_name?: string;
  short_name?: string;
  notes?: string;
  data?: ContactData;
  override?: string | null;
}

export class ContactService {
  constructor(private readonly database: Database) {}

  list(user: User, options: { q?: string; limit: number; offset: number }) {
    return listContacts(this.database.db, user.id, options);
  }

  async get(user: User, id: string): Promise<Contact> {
    const contact = await visibleContact(this.database.db, user.id, id);
    if (!contact) throw new NotFound();
    return contact;
  }

  async create(user: User, input: ContactInput): Promise<Contact> {
    let overrideId: string | null = null;
    if (input.override) {
      const target = await visibleContact(this.database.db, user.id, input.override);
      if (!target) throw new ValidationFailed({ override: ['No contact you can see has this id.'] });
      if (target.overrideId)
        throw new ValidationFailed({ override: ['A contact that overrides another cannot be overridden.'] });
      if (target.ownerId === user.id)
        throw new ValidationFailed({ override: ['You can only override a shared contact.'] });
      overrideId = target.id;
    }
    const created = await insertContact(this.database.db, {
      ownerId: user.id,
      overrideId,
      fullName: input.full_name ?? '',
      shortName: input.short_name ?? '',
      notes: input.notes ?? '',
      data: input.data ?? {},
    });
    if (!created) throw new ValidationFailed({ override: ['You already override this contact.'] });
    return created;
  }

  async update(user: User, id: string, input: ContactInput): Promise<Contact> {
    const contact = await this.get(user, id);
    if (contact.ownerId !== user.id) throw new PermissionDenied('Only the owner of a contact can change it.');
    if (input.override !== undefined && input.override !== contact.overrideId)
      throw new ValidationFailed({ override: ['The contact a contact overrides cannot change.'] });
    return updateContact(this.database.db, id, {
      ...(input.full_name !== undefined ? { fullName: input.full_name } : {}),
      ...(input.short_name !== undefined ? { shortName: input.short_name } : {}),
      ...(input.notes !== undefined ? { notes: input.notes } : {}),
      ...(input.data !== undefined ? { data: input.data } : {}),
    });
  }

  async remove(user: User, id: string): Promise<void> {
    const contact = await this.get(user, id);
    if (contact.ownerId !== user.id) throw new PermissionDenied('Only the owner of a contact can delete it.');
    if (contact.userId) throw new BadRequest('A profile contact cannot be deleted.');
    await deleteContact(this.database.db, id);
  }
}

/** Lifecycle hook: every new user gets the contact that describes them. */
export async function createProfileContact(tx: Db, user: User): Promise<void> {
  await insertContact(tx, {
    ownerId: user.id,
    userId: user.id,
    fullName: user.name,
    data: user.email ? { emails: [{ type: 'Work', value: user.email }] } : {},
  });
}
