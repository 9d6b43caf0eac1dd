// A SCIM client of an organization, as an identity provider holds it: its token and a way to call /scim/v2/.
import { SYSTEM } from '../../src/audit/index.ts';
import { ScimClientService } from '../../src/scim/index.ts';
import type { TestDesk } from './desk.ts';

export interface ScimAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: SCIM documents are read field by field in tests
  body: any;
}

export interface TestScimClient {
  id: string;
  organizationId: string;
  token: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimAnswer>;
}

/** A new SCIM client of the organization (a new organization when none is given). */
export async function scimClientOf(
  t: TestDesk,
  organizationId?: string,
  name = 'Entra ID',
): Promise<TestScimClient> {
  const organization = organizationId ?? (await t.createOrganization());
  const created = await new ScimClientService(t.desk.database).create(organization, name, { actor: SYSTEM });
  return {
    id: created.id,
    organizationId: organization,
    token: created.token,
    call: (method, path, body, headers = {}) => scimCall(t.url, created.token, method, path, body, headers),
  };
}

export async function scimCall(
  url: string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ScimAnswer> {
  const res = await fetch(`${url}/scim/v2${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
