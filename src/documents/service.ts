// The rules of documents: who reads, edits, deletes and shares; the last owner is protected; invitations become accesses.
import type { Database, Db } from '../platform/database.ts';
import { BadRequest, NotFound, PermissionDenied, ValidationFailed } from '../platform/errors.ts';
import { roleIn } from '../teams/index.ts';
import { findActiveColleagueById, findActiveColleaguesByEmail, type User } from '../users/index.ts';
import {
  type DocumentAccessAbilities,
  type DocumentAccessContext,
  documentAbilities,
  documentAccessAbilities,
  roleFromRank,
} from './abilities.ts';
import {
  convertDocumentInvitations,
  type DocumentAccessRow,
  type DocumentOrdering,
  type DocumentRow,
  deleteDocument,
  deleteDocumentAccess,
  deleteDocumentInvitation,
  documentAccessRow,
  documentFor,
  findDocumentInvitation,
  insertDocument,
  insertDocumentAccess,
  insertDocumentInvitation,
  listDocumentAccesses,
  listDocumentInvitations,
  lockDocumentOwners,
  myDocuments,
  setDocumentAccessRole,
  updateDocument,
} from './queries.ts';
import type { DocumentRole } from './schema.ts';

export const LAST_DOCUMENT_OWNER = 'A document must keep at least one owner: make someone else owner first.';

export interface DocumentView extends DocumentRow {
  role: DocumentRole;
}

export interface DocumentAccessView extends DocumentAccessRow {
  abilities: DocumentAccessAbilities;
}

export class DocumentService {
  constructor(private readonly database: Database) {}

  private get db(): Db {
    return this.database.db;
  }

  private view(row: DocumentRow): DocumentView {
    const role = roleFromRank(row.rank);
    if (!role) throw new NotFound();
    return { ...row, role };
  }

  async list(user: User, options: { ordering: DocumentOrdering; limit: number; offset: number }) {
    const rows = await myDocuments(this.db, user.id, options);
    return { rows: rows.map((r) => this.view(r)), count: rows[0]?.total ?? 0 };
  }

  async get(user: User, documentId: string): Promise<DocumentView> {
    const row = await documentFor(this.db, documentId, user.id);
    if (!row) throw new NotFound();
    return this.view(row);
  }

  async create(user: User, title: string, content: string): Promise<DocumentView> {
    const document = await this.db.transaction(async (tx) => {
      const doc = await insertDocument(tx, { title, content, creatorId: user.id });
      await insertDocumentAccess(tx, { documentId: doc.id, userId: user.id, role: 'owner' });
      return doc;
    });
    return { document, rank: 3, total: 1, role: 'owner' };
  }

  async update(
    user: User,
    documentId: string,
    changes: { title?: string; content?: string },
  ): Promise<DocumentView> {
    const current = await this.get(user, documentId);
    if (!documentAbilities(current.role).put)
      throw new PermissionDenied('Only owners and editors can change a document.');
    return { ...current, document: await updateDocument(this.db, documentId, changes) };
  }

  async remove(user: User, documentId: string): Promise<void> {
    const current = await this.get(user, documentId);
    if (!documentAbilities(current.role).delete)
      throw new PermissionDenied('Only owners can delete a document.');
    await deleteDocument(this.db, documentId);
  }

  private accessView(row: DocumentAccessRow, requesterRole: DocumentRole, user: User): DocumentAccessView {
    return {
      ...row,
      abilities: documentAccessAbilities({
        requesterRole,
        targetRole: row.role,
        isSelf: row.userId === user.id,
        ownerCount: row.ownerCount,
        isTeam: row.teamId !== null,
      }),
    };
  }

  async accesses(user: User, documentId: string, limit: number, offset: number) {
    const { role } = await this.get(user, documentId);
    const rows = await listDocumentAccesses(this.db, documentId, limit, offset);
    return { rows: rows.map((r) => this.accessView(r, role, user)), count: rows[0]?.total ?? 0 };
  }

  async access(user: User, documentId: string, accessId: string): Promise<DocumentAccessView> {
    const { role } = await this.get(user, documentId);
    const row = await documentAccessRow(this.db, documentId, accessId);
    if (!row) throw new NotFound();
    return this.accessView(row, role, user);
  }

  private async requireOwner(user: User, documentId: string): Promise<void> {
    const { role } = await this.get(user, documentId);
    if (!documentAbilities(role).manage_accesses)
      throw new PermissionDenied('Only owners can share a document.');
  }

  async share(
    user: User,
    documentId: string,
    target: { user?: string; team?: string },
    role: DocumentRole,
  ): Promise<DocumentAccessView> {
    await this.requireOwner(user, documentId);
    if (Boolean(target.user) === Boolean(target.team))
      throw new ValidationFailed({ non_field_errors: ['Give either a user or a team.'] });
    let values: { documentId: string; userId?: string; teamId?: string; role: DocumentRole };
    if (target.user) {
      // Only a colleague (DESIGN.md §5 "Isolation"): a user of another organization gets the answer of an unknown id.
      const found = await findActiveColleagueById(this.db, target.user, user.organizationId);
      if (!found) throw new ValidationFailed({ user: ['No active user has this id.'] });
      values = { documentId, userId: found.id, role };
    } else {
      const teamId = target.team ?? '';
      if (role === 'owner')
        throw new ValidationFailed({ role: ['A team can read or edit a document, not own it.'] });
      // Sharing with a team needs a team the owner is in: no probing of other teams.
      if (!(await roleIn(this.db, teamId, user.id)))
        throw new ValidationFailed({ team: ['You can only share with a team you belong to.'] });
      values = { documentId, teamId, role };
    }
    const access = await this.db.transaction((tx) => insertDocumentAccess(tx, values));
    if (!access)
      throw new ValidationFailed({ non_field_errors: ['This document is already shared with them.'] });
    return this.access(user, documentId, access.id);
  }

  /** One access changed under a lock on the owner rows, so the last-owner rule cannot be raced. */
  private async withLockedAccess(
    user: User,
    documentId: string,
    accessId: string,
    change: (tx: Db, context: DocumentAccessContext) => Promise<void>,
  ): Promise<void> {
    const current = await this.get(user, documentId);
    await this.db.transaction(async (tx) => {
      const ownerCount = await lockDocumentOwners(tx, documentId);
      const row = await documentAccessRow(tx, documentId, accessId);
      if (!row) throw new NotFound();
      await change(tx, {
        requesterRole: current.role,
        targetRole: row.role,
        isSelf: row.userId === user.id,
        ownerCount,
        isTeam: row.teamId !== null,
      });
    });
  }

  async changeRole(
    user: User,
    documentId: string,
    accessId: string,
    role: DocumentRole,
  ): Promise<DocumentAccessView> {
    await this.withLockedAccess(user, documentId, accessId, async (tx, context) => {
      const { isSelf, targetRole, ownerCount, requesterRole } = context;
      if (isSelf && targetRole === 'owner' && role !== 'owner' && ownerCount <= 1)
        throw new BadRequest(LAST_DOCUMENT_OWNER);
      if (role === targetRole && documentAbilities(requesterRole).manage_accesses) return;
      if (!documentAccessAbilities(context).set_role_to.includes(role))
        throw new PermissionDenied(`You cannot give the role ${role} here.`);
      await setDocumentAccessRole(tx, accessId, role);
    });
    return this.access(user, documentId, accessId);
  }

  async unshare(user: User, documentId: string, accessId: string): Promise<void> {
    await this.withLockedAccess(user, documentId, accessId, async (tx, context) => {
      if (context.isSelf && context.targetRole === 'owner' && context.ownerCount <= 1)
        throw new BadRequest(LAST_DOCUMENT_OWNER);
      if (!documentAccessAbilities(context).delete)
        throw new PermissionDenied('You cannot remove this access.');
      await deleteDocumentAccess(tx, accessId);
    });
  }

  async invitations(user: User, documentId: string) {
    await this.get(user, documentId);
    return listDocumentInvitations(this.db, documentId);
  }

  async invitation(user: User, documentId: string, id: string) {
    await this.get(user, documentId);
    const found = await findDocumentInvitation(this.db, documentId, id);
    if (!found) throw new NotFound();
    return found;
  }

  async invite(user: User, documentId: string, email: string, role: DocumentRole) {
    await this.requireOwner(user, documentId);
    return this.db.transaction(async (tx) => {
      // Only a colleague gets the access at once; anyone else an invitation, as an unknown address does, so sharing
      // never tells whether an account exists in another organization.
      const existing = await findActiveColleaguesByEmail(tx, email, user.organizationId);
      if (existing.length > 1)
        throw new ValidationFailed({ email: ['Several accounts use this email address.'] });
      if (existing[0]) {
        const access = await insertDocumentAccess(tx, { documentId, userId: existing[0].id, role });
        if (!access) throw new ValidationFailed({ email: ['This user already has access to the document.'] });
        return { kind: 'access' as const, accessId: access.id };
      }
      const invitation = await insertDocumentInvitation(tx, { documentId, email, role, issuerId: user.id });
      if (!invitation)
        throw new ValidationFailed({ email: ['This email is already invited to this document.'] });
      return { kind: 'invitation' as const, invitation };
    });
  }

  async cancelInvitation(user: User, documentId: string, id: string): Promise<void> {
    await this.requireOwner(user, documentId);
    if (!(await findDocumentInvitation(this.db, documentId, id))) throw new NotFound();
    await deleteDocumentInvitation(this.db, id);
  }

  /** Lifecycle hook: a new user (or a changed email) receives the documents waiting for that email. */
  readonly convertFor = async (tx: Db, user: User): Promise<void> => {
    if (user.email) await convertDocumentInvitations(tx, user.id, user.email);
  };
}
