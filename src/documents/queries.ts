// All SQL on documents: the requester's effective role (direct or through a team) comes with every row.
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../platform/database.ts';
import { teams } from '../teams/index.ts';
import { users } from '../users/index.ts';
import {
  type Document,
  type DocumentAccess,
  type DocumentRole,
  documentAccesses,
  documentInvitations,
  documents,
  idempotencyKeys,
} from './schema.ts';

export type DocumentOrdering =
  | 'title'
  | '-title'
  | 'created_at'
  | '-created_at'
  | 'updated_at'
  | '-updated_at';

const rankOf = (column: string) =>
  sql.raw(`case ${column} when 'owner' then 3 when 'editor' then 2 when 'reader' then 1 else 0 end`);

/** The user's best role on the document: their own access or any of their teams'. */
function roleRank(userId: string) {
  return sql<number>`greatest(
    coalesce((select max(${rankOf('da.role')}) from document_accesses da where da.document_id = documents.id and da.user_id = ${userId}), 0),
    coalesce((select max(${rankOf('da.role')}) from document_accesses da join team_accesses ta on ta.team_id = da.team_id
              where da.document_id = documents.id and ta.user_id = ${userId}), 0))`;
}

export interface DocumentRow {
  document: Document;
  rank: number;
  total: number;
}

export async function myDocuments(
  db: Db,
  userId: string,
  options: { ordering: DocumentOrdering; limit: number; offset: number },
): Promise<DocumentRow[]> {
  const key = options.ordering.replace(/^-/, '');
  const column =
    key === 'title' ? documents.title : key === 'created_at' ? documents.createdAt : documents.updatedAt;
  const direction = options.ordering.startsWith('-') ? desc : asc;
  const rank = roleRank(userId);
  return db
    .select({ document: documents, rank, total: sql<number>`count(*) over ()::int` })
    .from(documents)
    .where(sql`${rank} > 0`)
    .orderBy(direction(column), asc(documents.id))
    .limit(options.limit)
    .offset(options.offset);
}

export async function documentFor(
  db: Db,
  documentId: string,
  userId: string,
): Promise<DocumentRow | undefined> {
  const rank = roleRank(userId);
  const [row] = await db
    .select({ document: documents, rank, total: sql<number>`1` })
    .from(documents)
    .where(eq(documents.id, documentId))
    .limit(1);
  return row && row.rank > 0 ? row : undefined;
}

export async function insertDocument(
  tx: Db,
  values: { title: string; content: string; creatorId: string | null },
): Promise<Document> {
  const [doc] = await tx.insert(documents).values(values).returning();
  if (!doc) throw new Error('insert returned no document');
  return doc;
}

export async function updateDocument(
  db: Db,
  id: string,
  values: { title?: string; content?: string },
): Promise<Document> {
  const [doc] = await db
    .update(documents)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(documents.id, id))
    .returning();
  if (!doc) throw new Error(`document ${id} vanished during update`);
  return doc;
}

export async function deleteDocument(db: Db, id: string): Promise<void> {
  await db.delete(documents).where(eq(documents.id, id));
}

export interface DocumentAccessRow {
  id: string;
  role: DocumentRole;
  userId: string | null;
  userName: string | null;
  userEmail: string | null;
  teamId: string | null;
  teamName: string | null;
  ownerCount: number;
  total: number;
}

const ownerCount = (documentId: string) =>
  sql<number>`(select count(*)::int from document_accesses o where o.document_id = ${documentId} and o.role = 'owner' and o.user_id is not null)`;

function accessSelection(documentId: string) {
  return {
    id: documentAccesses.id,
    role: documentAccesses.role,
    userId: documentAccesses.userId,
    userName: users.name,
    userEmail: users.email,
    teamId: documentAccesses.teamId,
    teamName: teams.name,
    ownerCount: ownerCount(documentId),
    total: sql<number>`count(*) over ()::int`,
  };
}

export async function listDocumentAccesses(
  db: Db,
  documentId: string,
  limit: number,
  offset: number,
): Promise<DocumentAccessRow[]> {
  return db
    .select(accessSelection(documentId))
    .from(documentAccesses)
    .leftJoin(users, eq(users.id, documentAccesses.userId))
    .leftJoin(teams, eq(teams.id, documentAccesses.teamId))
    .where(eq(documentAccesses.documentId, documentId))
    .orderBy(desc(sql`${rankOf('document_accesses.role')}`), asc(documentAccesses.id))
    .limit(limit)
    .offset(offset);
}

export async function documentAccessRow(
  db: Db,
  documentId: string,
  accessId: string,
): Promise<DocumentAccessRow | undefined> {
  const [row] = await db
    .select(accessSelection(documentId))
    .from(documentAccesses)
    .leftJoin(users, eq(users.id, documentAccesses.userId))
    .leftJoin(teams, eq(teams.id, documentAccesses.teamId))
    .where(and(eq(documentAccesses.documentId, documentId), eq(documentAccesses.id, accessId)))
    .limit(1);
  return row;
}

export async function lockDocumentOwners(tx: Db, documentId: string): Promise<number> {
  const rows = await tx
    .select({ id: documentAccesses.id })
    .from(documentAccesses)
    .where(
      and(
        eq(documentAccesses.documentId, documentId),
        eq(documentAccesses.role, 'owner'),
        sql`${documentAccesses.userId} is not null`,
      ),
    )
    .for('update');
  return rows.length;
}

export async function insertDocumentAccess(
  tx: Db,
  values: { documentId: string; userId?: string; teamId?: string; role: DocumentRole },
): Promise<DocumentAccess | undefined> {
  const [row] = await tx.insert(documentAccesses).values(values).onConflictDoNothing().returning();
  return row;
}

export async function setDocumentAccessRole(tx: Db, id: string, role: DocumentRole): Promise<void> {
  await tx.update(documentAccesses).set({ role, updatedAt: new Date() }).where(eq(documentAccesses.id, id));
}

export async function deleteDocumentAccess(tx: Db, id: string): Promise<void> {
  await tx.delete(documentAccesses).where(eq(documentAccesses.id, id));
}

export async function listDocumentInvitations(db: Db, documentId: string) {
  return db
    .select()
    .from(documentInvitations)
    .where(eq(documentInvitations.documentId, documentId))
    .orderBy(desc(documentInvitations.createdAt), asc(documentInvitations.id));
}

export async function findDocumentInvitation(db: Db, documentId: string, id: string) {
  const [row] = await db
    .select()
    .from(documentInvitations)
    .where(and(eq(documentInvitations.documentId, documentId), eq(documentInvitations.id, id)))
    .limit(1);
  return row;
}

export async function insertDocumentInvitation(
  tx: Db,
  values: { documentId: string; email: string; role: DocumentRole; issuerId: string | null },
) {
  const [row] = await tx.insert(documentInvitations).values(values).onConflictDoNothing().returning();
  return row;
}

export async function deleteDocumentInvitation(db: Db, id: string): Promise<void> {
  await db.delete(documentInvitations).where(eq(documentInvitations.id, id));
}

/** Every document invitation for this email becomes a user access (an existing access is kept), then goes. */
export async function convertDocumentInvitations(tx: Db, userId: string, email: string): Promise<void> {
  const forEmail = sql`lower(${documentInvitations.email}) = lower(${email})`;
  await tx
    .insert(documentAccesses)
    .select(
      tx
        .select({
          id: sql<string>`gen_random_uuid()`.as('id'),
          documentId: documentInvitations.documentId,
          userId: sql<string>`${userId}::uuid`.as('user_id'),
          teamId: sql<string | null>`null::uuid`.as('team_id'),
          role: documentInvitations.role,
          createdAt: sql<Date>`now()`.as('created_at'),
          updatedAt: sql<Date>`now()`.as('updated_at'),
        })
        .from(documentInvitations)
        .where(forEmail),
    )
    .onConflictDoNothing();
  await tx.delete(documentInvitations).where(forEmail);
}

export async function findIdempotent(db: Db, key: string) {
  const [row] = await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key)).limit(1);
  return row;
}

/** Records the first answer; false when a concurrent retry recorded one first. */
export async function recordIdempotent(
  tx: Db,
  key: string,
  status: number,
  response: Record<string, unknown>,
): Promise<boolean> {
  const rows = await tx
    .insert(idempotencyKeys)
    .values({ key, status, response })
    .onConflictDoNothing()
    .returning();
  return rows.length === 1;
}
