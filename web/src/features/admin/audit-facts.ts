// What an audit event's details say, as facts a person reads (a role, a team, a change from one role to another),
// each under a label of the catalogs; plain logic, tested alone. The raw JSON stays one click away on the page.
import type { AuditEvent, Role } from '../../api/types.ts';
import { ROLES } from '../../api/types.ts';

export type FactValue =
  | { kind: 'text'; text: string }
  | { kind: 'code'; code: string }
  | { kind: 'number'; value: number }
  | { kind: 'role'; role: Role }
  | { kind: 'roleChange'; from: Role; to: Role }
  | { kind: 'team'; id: string }
  /** Keys of the catalog under admin.audit.fact.values (a method, a field name, …). */
  | { kind: 'words'; keys: string[] };

export interface Fact {
  /** The label's key under admin.audit.fact.labels; null for a detail Desk does not know, shown by its own name. */
  label: string | null;
  /** The detail's own name, for one Desk does not know. */
  name: string;
  value: FactValue;
}

/** The details only a machine reads (ids of rows that other facts already name): left to the technical view. */
const TECHNICAL = new Set(['access', 'service_provider', 'from']);

const METHODS = new Set(['oidc', 'password']);
const ORGANIZATION_FIELDS = new Set(['name', 'is_active', 'metadata', 'registration_id_list', 'domain_list']);

const isRole = (value: unknown): value is Role => typeof value === 'string' && ROLES.includes(value as Role);

function plain(value: unknown): FactValue {
  if (typeof value === 'number') return { kind: 'number', value };
  if (typeof value === 'string') return { kind: 'text', text: value };
  return { kind: 'code', code: JSON.stringify(value) };
}

/** The facts of one event's details, in a stable order: known ones first as Desk writes them, then the rest. */
export function auditFacts(event: Pick<AuditEvent, 'event' | 'details'>): Fact[] {
  const details = { ...event.details };
  const facts: Fact[] = [];
  const take = (key: string): unknown => {
    const value = details[key];
    delete details[key];
    return value;
  };
  const add = (label: string, name: string, value: FactValue) => facts.push({ label, name, value });

  const team = take('team');
  if (typeof team === 'string') add('team', 'team', { kind: 'team', id: team });
  if (event.event === 'access.role_changed' && isRole(details.from) && isRole(details.to))
    add('role', 'role', { kind: 'roleChange', from: take('from') as Role, to: take('to') as Role });
  const role = details.role;
  if (isRole(role)) add('role', 'role', { kind: 'role', role: take('role') as Role });
  if (take('via') === 'invitation') add('via', 'via', { kind: 'words', keys: ['invitation'] });
  const method = details.method;
  if (typeof method === 'string' && METHODS.has(method))
    add('method', 'method', { kind: 'words', keys: [`method_${take('method')}`] });
  const reason = details.reason;
  if (reason === 'invalid_credentials') {
    take('reason');
    add('reason', 'reason', { kind: 'words', keys: ['invalid_credentials'] });
  } else if (typeof reason === 'string')
    add('reason', 'reason', { kind: 'code', code: String(take('reason')) });
  const code = details.code;
  if (typeof code === 'string') add('reason', 'code', { kind: 'code', code: String(take('code')) });
  const fields = details.fields;
  if (Array.isArray(fields) && fields.every((f) => typeof f === 'string' && ORGANIZATION_FIELDS.has(f))) {
    take('fields');
    add('fields', 'fields', { kind: 'words', keys: fields.map((f) => `field_${f}`) });
  }
  if (event.event === 'organization.merged' && typeof details.from_name === 'string')
    add('mergedFrom', 'from_name', { kind: 'text', text: String(take('from_name')) });
  if (event.event === 'service_provider.renamed' && typeof details.name === 'string')
    add('newName', 'name', { kind: 'text', text: String(take('name')) });
  for (const [key, label] of [
    ['users', 'usersMoved'],
    ['teams', 'teamsMoved'],
    ['ended', 'sessionsEnded'],
    ['dropped', 'dropped'],
  ] as const)
    if (typeof details[key] === 'number') add(label, key, { kind: 'number', value: take(key) as number });
  if (details.by === 'sid' || details.by === 'sub')
    add('by', 'by', { kind: 'code', code: String(take('by')) });
  if (typeof details.client_request_id === 'string')
    add('clientRequestId', 'client_request_id', { kind: 'code', code: String(take('client_request_id')) });

  for (const key of Object.keys(details).sort())
    if (!TECHNICAL.has(key)) facts.push({ label: null, name: key, value: plain(details[key]) });
  return facts;
}

/** The catalog key of an event's name (admin.audit.events.…): i18next reads dots as nesting. */
export function eventKey(event: string): string {
  return event.replaceAll('.', '_');
}
