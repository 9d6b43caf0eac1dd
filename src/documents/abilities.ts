// What a role may do on a document and on its accesses (the team rules of DESIGN.md §4, applied to documents).
import { DOCUMENT_ROLES, type DocumentRole } from './schema.ts';

export const DOCUMENT_ROLE_RANK: Record<DocumentRole, number> = { reader: 1, editor: 2, owner: 3 };

export function roleFromRank(rank: number): DocumentRole | null {
  return DOCUMENT_ROLES.find((r) => DOCUMENT_ROLE_RANK[r] === rank) ?? null;
}

export interface DocumentAbilities {
  get: boolean;
  put: boolean;
  patch: boolean;
  delete: boolean;
  manage_accesses: boolean;
}

export function documentAbilities(role: DocumentRole | null): DocumentAbilities {
  const edit = role === 'owner' || role === 'editor';
  return {
    get: Boolean(role),
    put: edit,
    patch: edit,
    delete: role === 'owner',
    manage_accesses: role === 'owner',
  };
}

export interface DocumentAccessAbilities {
  get: boolean;
  put: boolean;
  patch: boolean;
  delete: boolean;
  set_role_to: DocumentRole[];
}

export interface DocumentAccessContext {
  requesterRole: DocumentRole | null;
  targetRole: DocumentRole;
  isSelf: boolean;
  ownerCount: number;
  isTeam: boolean;
}

export function documentAccessAbilities(context: DocumentAccessContext): DocumentAccessAbilities {
  const { requesterRole, targetRole, isSelf, ownerCount, isTeam } = context;
  if (!requesterRole) return { get: false, put: false, patch: false, delete: false, set_role_to: [] };
  let canDelete = false;
  let setRoleTo: DocumentRole[] = [];
  if (requesterRole === 'owner') {
    if (targetRole !== 'owner') {
      canDelete = true;
      // Ownership is personal: a team access reads or edits, never owns.
      setRoleTo = DOCUMENT_ROLES.filter((r) => r !== targetRole && !(isTeam && r === 'owner'));
    } else if (isSelf && ownerCount > 1) {
      canDelete = true;
      setRoleTo = ['editor', 'reader'];
    }
  }
  const canChange = setRoleTo.length > 0;
  return { get: true, put: canChange, patch: canChange, delete: canDelete, set_role_to: setRoleTo };
}
