// SQL of the outbox pages: mail jobs, newest first, and one of them.
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../platform/database.ts';
import { type Job, jobs } from '../platform/schema.ts';
import { MAIL_JOB } from './index.ts';

export function recentMails(db: Db, limit: number): Promise<Job[]> {
  return db.select().from(jobs).where(eq(jobs.kind, MAIL_JOB)).orderBy(desc(jobs.createdAt)).limit(limit);
}

export async function mailJob(db: Db, id: string): Promise<Job | undefined> {
  const [job] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, id), eq(jobs.kind, MAIL_JOB)))
    .limit(1);
  return job;
}
