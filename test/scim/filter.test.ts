// The SCIM filter and PATCH path parser: RFC 7644's examples, what Entra ID and Okta send, and refused input.
import { describe, expect, it } from 'vitest';
import { InvalidFilter, InvalidPath } from '../../src/scim/errors.ts';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter, parsePath } from '../../src/scim/filter.ts';
import type { FilterNode } from '../../src/scim/filter-ast.ts';

const eq = (attribute: string, value: string | number | boolean | null): FilterNode => ({
  kind: 'compare',
  path: { attribute },
  op: 'eq',
  value,
});

function filterError(text: string): string {
  try {
    parseFilter(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidFilter);
    return (error as Error).message;
  }
  throw new Error(`"${text}" was accepted`);
}

describe('RFC 7644 §3.4.2.2 example filters', () => {
  const examples = [
    'userName eq "bjensen"',
    `name.familyName co "O'Malley"`,
    'userName sw "J"',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
    'title pr',
    'meta.lastModified gt "2011-05-13T04:42:34Z"',
    'meta.lastModified ge "2011-05-13T04:42:34Z"',
    'meta.lastModified lt "2011-05-13T04:42:34Z"',
    'meta.lastModified le "2011-05-13T04:42:34Z"',
    'title pr and userType eq "Employee"',
    'title pr or userType eq "Intern"',
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails.type eq "work")',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
  ];
  it.each(examples)('parses %s', (text) => {
    expect(() => parseFilter(text)).not.toThrow();
  });

  it('reads a schema-prefixed attribute as the schema and the name', () => {
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"')).toEqual({
      kind: 'compare',
      path: { schema: 'urn:ietf:params:scim:schemas:core:2.0:User', attribute: 'userName' },
      op: 'sw',
      value: 'J',
    });
  });

  it('reads an extension attribute with its schema', () => {
    expect(
      parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"')
        .kind,
    ).toBe('compare');
    expect(
      parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber pr'),
    ).toEqual({
      kind: 'present',
      path: {
        schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
        attribute: 'employeeNumber',
      },
    });
  });

  it('reads a sub-attribute', () => {
    expect(parseFilter(`name.familyName co "O'Malley"`)).toEqual({
      kind: 'compare',
      path: { attribute: 'name', subAttribute: 'familyName' },
      op: 'co',
      value: "O'Malley",
    });
  });

  it('reads the example with not and parentheses as the RFC groups it', () => {
    expect(
      parseFilter(
        'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      ),
    ).toEqual({
      kind: 'and',
      left: { kind: 'compare', path: { attribute: 'userType' }, op: 'ne', value: 'Employee' },
      right: {
        kind: 'not',
        filter: {
          kind: 'or',
          left: { kind: 'compare', path: { attribute: 'emails' }, op: 'co', value: 'example.com' },
          right: {
            kind: 'compare',
            path: { attribute: 'emails', subAttribute: 'value' },
            op: 'co',
            value: 'example.org',
          },
        },
      },
    });
  });

  it('reads a value filter as one node on the multi-valued attribute', () => {
    expect(parseFilter('emails[type eq "work" and value co "@example.com"]')).toEqual({
      kind: 'valuePath',
      path: { attribute: 'emails' },
      filter: {
        kind: 'and',
        left: eq('type', 'work'),
        right: { kind: 'compare', path: { attribute: 'value' }, op: 'co', value: '@example.com' },
      },
    });
  });
});

describe('operators and precedence', () => {
  it.each(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])('accepts %s in any case', (op) => {
    for (const written of [op, op.toUpperCase(), `${op[0]?.toUpperCase()}${op[1]}`]) {
      expect(parseFilter(`displayName ${written} "x"`)).toEqual({
        kind: 'compare',
        path: { attribute: 'displayName' },
        op,
        value: 'x',
      });
    }
  });

  it('accepts pr in any case', () => {
    expect(parseFilter('title PR')).toEqual({ kind: 'present', path: { attribute: 'title' } });
  });

  it('binds and tighter than or', () => {
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toEqual({
      kind: 'or',
      left: eq('a', 1),
      right: { kind: 'and', left: eq('b', 2), right: eq('c', 3) },
    });
  });

  it('binds not tighter than and', () => {
    expect(parseFilter('not (a eq 1) and b eq 2')).toEqual({
      kind: 'and',
      left: { kind: 'not', filter: eq('a', 1) },
      right: eq('b', 2),
    });
  });

  it('lets parentheses group first', () => {
    expect(parseFilter('(a eq 1 or b eq 2) and c eq 3')).toEqual({
      kind: 'and',
      left: { kind: 'or', left: eq('a', 1), right: eq('b', 2) },
      right: eq('c', 3),
    });
  });

  it('groups a chain of and to the left', () => {
    expect(parseFilter('a eq 1 and b eq 2 and c eq 3')).toEqual({
      kind: 'and',
      left: { kind: 'and', left: eq('a', 1), right: eq('b', 2) },
      right: eq('c', 3),
    });
  });

  it('accepts keywords in any case', () => {
    expect(parseFilter('NOT (a eq 1) And b eq 2 OR c eq 3')).toEqual({
      kind: 'or',
      left: { kind: 'and', left: { kind: 'not', filter: eq('a', 1) }, right: eq('b', 2) },
      right: eq('c', 3),
    });
  });

  it('keeps the case the client wrote attribute names in', () => {
    expect(parseFilter('USERNAME eq "x"')).toEqual(eq('USERNAME', 'x'));
  });

  it('reads an attribute named like a keyword as an attribute', () => {
    expect(parseFilter('not eq "x"')).toEqual(eq('not', 'x'));
  });
});

describe('values', () => {
  it('decodes JSON escapes in strings', () => {
    expect(parseFilter('displayName eq "a \\"quoted\\" \\\\ caf\\u00e9"')).toEqual(
      eq('displayName', 'a "quoted" \\ café'),
    );
  });

  it('keeps brackets, parentheses and keywords inside strings', () => {
    expect(parseFilter('displayName eq "a ] b ( or and"')).toEqual(eq('displayName', 'a ] b ( or and'));
  });

  it('reads true, false, null and numbers', () => {
    expect(parseFilter('active eq true')).toEqual(eq('active', true));
    expect(parseFilter('active eq false')).toEqual(eq('active', false));
    expect(parseFilter('title eq null')).toEqual(eq('title', null));
    expect(parseFilter('n eq 42')).toEqual(eq('n', 42));
    expect(parseFilter('n eq -1.5e3')).toEqual(eq('n', -1500));
  });

  it('keeps dates as strings', () => {
    expect(parseFilter('meta.created gt "2011-05-13T04:42:34Z"')).toMatchObject({
      value: '2011-05-13T04:42:34Z',
    });
  });

  it('reads an unquoted email as Entra ID sends it as a string', () => {
    expect(parseFilter('userName eq john@x.fr')).toEqual(eq('userName', 'john@x.fr'));
  });

  it('reads an unquoted externalId as a string', () => {
    expect(parseFilter('externalId eq 1234abcd-5678-90ef-aaaa-bbbbccccdddd')).toEqual(
      eq('externalId', '1234abcd-5678-90ef-aaaa-bbbbccccdddd'),
    );
  });

  it('reads an unquoted date and a number with a leading zero as strings', () => {
    expect(parseFilter('meta.created gt 2011-05-13T04:42:34Z')).toMatchObject({
      value: '2011-05-13T04:42:34Z',
    });
    expect(parseFilter('externalId eq 0123')).toEqual(eq('externalId', '0123'));
  });

  it('reads an unquoted value inside a value filter', () => {
    expect(parseFilter('emails[type eq work]')).toEqual({
      kind: 'valuePath',
      path: { attribute: 'emails' },
      filter: eq('type', 'work'),
    });
  });
});

describe('what identity providers send', () => {
  it.each([
    ['userName eq "ryan@contoso.com"', eq('userName', 'ryan@contoso.com')],
    [
      'externalId eq "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"',
      eq('externalId', '00aa00aa-bb11-cc22-dd33-44ee44ee44ee'),
    ],
    ['displayName eq "Group"', eq('displayName', 'Group')],
    ['userName eq "jane.doe@example.com"', eq('userName', 'jane.doe@example.com')],
  ])('parses %s', (text, node) => {
    expect(parseFilter(text)).toEqual(node);
  });

  it('parses a members value filter', () => {
    expect(parseFilter('members[value eq "2819c223-7f76-453a-919d-413861904646"]')).toEqual({
      kind: 'valuePath',
      path: { attribute: 'members' },
      filter: eq('value', '2819c223-7f76-453a-919d-413861904646'),
    });
  });

  it('reads emails[type eq "work"].value co "x" as both conditions on one element', () => {
    expect(parseFilter('emails[type eq "work"].value co "x"')).toEqual({
      kind: 'valuePath',
      path: { attribute: 'emails' },
      filter: {
        kind: 'and',
        left: eq('type', 'work'),
        right: { kind: 'compare', path: { attribute: 'value' }, op: 'co', value: 'x' },
      },
    });
  });
});

describe('refused filters', () => {
  it.each([
    ['', 'empty'],
    ['userName', 'expected an operator'],
    ['userName eq', 'expected a value'],
    ['userName foo "x"', 'expected an operator'],
    ['userName eq "x" and', 'expected an attribute name'],
    ['userName eq "x" userName eq "y"', 'unexpected "userName"'],
    ['(userName eq "x"', 'expected ")"'],
    ['userName eq "x")', 'unexpected ")"'],
    ['userName eq "unterminated', 'Unterminated string'],
    ['userName eq "bad \\x escape"', 'Invalid string'],
    ['emails[type eq "work"', 'expected "]"'],
    ['emails[type eq "work" and addresses[type eq "home"]]', 'a value filter inside a value filter'],
    ['1name eq "x"', 'is not an attribute name'],
    ['a.b.c eq "x"', 'is not an attribute name'],
    ['http://x:userName eq "x"', 'is not an attribute name'],
    ['userName eq ()', 'expected a value'],
  ])('refuses %j with InvalidFilter', (text, message) => {
    expect(filterError(text)).toContain(message);
  });

  it('names the position of the problem', () => {
    expect(filterError('userName zz "x"')).toMatch(/at position 10\.$/);
  });

  it('refuses a filter longer than the limit', () => {
    const long = `displayName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`;
    expect(filterError(long)).toContain(`longer than ${MAX_FILTER_LENGTH}`);
  });

  it('refuses nesting deeper than the limit', () => {
    const depth = MAX_FILTER_DEPTH + 1;
    expect(filterError(`${'('.repeat(depth)}a pr${')'.repeat(depth)}`)).toContain('nesting deeper');
    expect(filterError(`${'not '.repeat(depth)}a pr`)).toContain('nesting deeper');
  });

  it('accepts nesting up to the limit', () => {
    const depth = MAX_FILTER_DEPTH;
    expect(parseFilter(`${'('.repeat(depth)}a pr${')'.repeat(depth)}`)).toEqual({
      kind: 'present',
      path: { attribute: 'a' },
    });
  });

  it('refuses a NUL character', () => {
    expect(filterError('userName eq "a\u0000b"')).toContain('NUL');
    expect(filterError('userName eq a\u0000b')).toContain('NUL');
  });
});

describe('PATCH paths', () => {
  it('parses an attribute', () => {
    expect(parsePath('displayName')).toEqual({ path: { attribute: 'displayName' } });
  });

  it('parses a sub-attribute', () => {
    expect(parsePath('name.givenName')).toEqual({ path: { attribute: 'name', subAttribute: 'givenName' } });
  });

  it('parses a schema-prefixed attribute', () => {
    expect(parsePath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber')).toEqual({
      path: {
        schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
        attribute: 'employeeNumber',
      },
    });
    expect(parsePath('urn:ietf:params:scim:schemas:core:2.0:User:name.familyName')).toEqual({
      path: {
        schema: 'urn:ietf:params:scim:schemas:core:2.0:User',
        attribute: 'name',
        subAttribute: 'familyName',
      },
    });
  });

  it('parses a value filter with a sub-attribute', () => {
    expect(parsePath('emails[type eq "work"].value')).toEqual({
      path: { attribute: 'emails' },
      filter: eq('type', 'work'),
      subAttribute: 'value',
    });
  });

  it('parses a members value filter', () => {
    expect(parsePath('members[value eq "2819c223-7f76-453a-919d-413861904646"]')).toEqual({
      path: { attribute: 'members' },
      filter: eq('value', '2819c223-7f76-453a-919d-413861904646'),
    });
  });

  it('keeps dots, colons and brackets inside the filter value', () => {
    expect(parsePath('emails[value eq "a.b:c]d@x.fr"].display')).toEqual({
      path: { attribute: 'emails' },
      filter: eq('value', 'a.b:c]d@x.fr'),
      subAttribute: 'display',
    });
  });

  it('parses a value filter with and', () => {
    expect(parsePath('addresses[type eq "work" and primary eq true].locality').filter?.kind).toBe('and');
  });

  it.each([
    '',
    'emails[',
    'emails[]',
    'emails[type eq]',
    'emails[type eq "work"]value',
    'emails[type eq "work"].',
    'name.givenName[type eq "x"]',
    'a.b.c',
    '1abc',
    'emails[type eq "work"] and x',
    'emails[type eq "a\u0000"]',
  ])('refuses %j with InvalidPath', (text) => {
    expect(() => parsePath(text)).toThrow(InvalidPath);
  });
});
