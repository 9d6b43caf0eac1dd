// SCIM team webhooks (DESIGN.md §12): a membership change sent as one PatchOp (RFC 7644 §3.5.2) to the webhook URL.

import type { Send } from './outbound.ts';
import {
  DELIVERY_TIMEOUT_MS,
  DeliveryFailed,
  type Member,
  type MembershipChange,
  receiverSaid,
  type WebhookTarget,
} from './protocol.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The PatchOp people sends to a group, with the user's `sub` where people puts its own user id. */
export function scimPatchOp(action: MembershipChange, member: Member & { sub: string }) {
  return {
    schemas: [PATCH_OP],
    Operations: [
      { op: action, path: 'members', value: [{ value: member.sub, email: member.email, type: 'User' }] },
    ],
  };
}

/** Adds the member to, or removes them from, the receiver's group; resolves when the receiver answered 2xx. */
export async function deliverScim(
  send: Send,
  target: WebhookTarget,
  action: MembershipChange,
  member: Member,
): Promise<void> {
  // The receiver knows Desk's users by their sub (what Desk's SCIM and resource server call them); a user
  // provisioned by a directory has none until they sign in. A null value would add or remove a member the receiver
  // cannot identify, and the email alone is not a SCIM member reference: fail, so the admins see why and a retry
  // after the user's first sign-in delivers it.
  const sub = member.sub;
  if (sub === null) throw new DeliveryFailed('This user has not signed in yet: no sub to send.');
  const headers: Record<string, string> = { 'Content-Type': 'application/scim+json' };
  if (target.secret) headers.Authorization = `Bearer ${target.secret}`;
  const response = await send({
    method: 'PATCH',
    url: target.url,
    headers,
    body: JSON.stringify(scimPatchOp(action, { ...member, sub })),
    timeoutMs: DELIVERY_TIMEOUT_MS,
  });
  if (response.status >= 200 && response.status < 300) return;
  const said = receiverSaid(response.body, [target.secret]);
  throw new DeliveryFailed(
    said ? `The receiver answered ${response.status}: ${said}` : `The receiver answered ${response.status}.`,
    response.status,
  );
}
