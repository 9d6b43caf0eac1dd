// Parses RFC 7644 filters (§3.4.2.2) and PATCH paths (§3.5.2) into the forms of filter-ast.ts, accepting what real
// identity providers send. A small recursive-descent parser of our own rather than a package from npm: the strict ones
// (scim2-parse-filter) refuse Entra ID's unquoted values (`userName eq john@x.fr`) and rewrite
// `emails[type eq "work"].value` into two conditions on possibly different elements, scim-query-filter-parser compiles
// to an in-memory predicate rather than a tree we can turn into SQL, and scimmy is a whole SCIM server.

import { InvalidFilter, InvalidPath } from './errors.ts';
import type { AttrPath, CompareOp, FilterNode, FilterValue, PatchPath } from './filter-ast.ts';

/** Longer filters are refused: real ones are a few dozen characters, and the SQL they compile to grows with them. */
export const MAX_FILTER_LENGTH = 4096;
/** Deeper nesting (parentheses, `not`, value filters) is refused so a crafted filter cannot exhaust the stack. */
export const MAX_FILTER_DEPTH = 50;

const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
// RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar); `$ref` is the one reserved name clients use in paths.
const ATTR_NAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;
// RFC 8259 §6: a number as JSON writes it; anything else unquoted (`1234abcd-…`, `0123`) is a string.
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

type TokenKind = '(' | ')' | '[' | ']' | 'string' | 'word' | 'end';

interface Token {
  kind: TokenKind;
  /** The text of a word, or the decoded value of a string. */
  text: string;
  /** 0-based offset of the first character, and of the one after the last. */
  start: number;
  end: number;
}

type ErrorClass = typeof InvalidFilter | typeof InvalidPath;

function tokenize(input: string, offset: number, fail: (message: string, at: number) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: c, text: c, start: offset + i, end: offset + i + 1 });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      if (j >= input.length) fail('Unterminated string', offset + i);
      const raw = input.slice(i, j + 1);
      let text: unknown;
      try {
        // RFC 7644 §3.4.2.2: compValue strings are JSON strings, escapes included.
        text = JSON.parse(raw);
      } catch {
        fail(`Invalid string ${raw}`, offset + i);
      }
      // A NUL written as an escape (\u0000) is as unstorable as a raw one.
      if ((text as string).includes('\u0000')) fail('Null characters are not allowed', offset + i);
      tokens.push({ kind: 'string', text: text as string, start: offset + i, end: offset + j + 1 });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < input.length && !/[\s()[\]"]/.test(input[j] as string)) j++;
    tokens.push({ kind: 'word', text: input.slice(i, j), start: offset + i, end: offset + j });
    i = j;
  }
  tokens.push({ kind: 'end', text: '', start: offset + input.length, end: offset + input.length });
  return tokens;
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end';
  if (token.kind === 'string') return JSON.stringify(token.text);
  return `"${token.text}"`;
}

/** `urn:…:User:name.givenName` → schema, attribute, sub-attribute; undefined when it is not an attribute path. */
function splitAttrPath(text: string): AttrPath | undefined {
  let schema: string | undefined;
  let rest = text;
  const colon = text.lastIndexOf(':');
  if (colon >= 0) {
    schema = text.slice(0, colon);
    rest = text.slice(colon + 1);
    if (!/^urn:[^\s]+$/i.test(schema)) return undefined;
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((part) => ATTR_NAME.test(part))) return undefined;
  const [attribute, subAttribute] = parts as [string, string | undefined];
  return { ...(schema ? { schema } : {}), attribute, ...(subAttribute ? { subAttribute } : {}) };
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly error: ErrorClass,
    private readonly what: string,
  ) {}

  fail(message: string, at: number): never {
    // Positions are 1-based characters, as an editor shows them.
    throw new this.error(`Invalid ${this.what}: ${message} at position ${at + 1}.`);
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  expect(kind: TokenKind, what: string): Token {
    const token = this.next();
    if (token.kind !== kind) this.fail(`expected ${what} but found ${describe(token)}`, token.start);
    return token;
  }

  isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  enter(at: number): void {
    this.depth++;
    if (this.depth > MAX_FILTER_DEPTH) this.fail(`nesting deeper than ${MAX_FILTER_DEPTH} levels`, at);
  }

  leave(): void {
    this.depth--;
  }

  /** RFC 7644 §3.4.2.2: precedence is not > and > or; both binary operators group to the left. */
  parseOr(inValuePath: boolean): FilterNode {
    let left = this.parseAnd(inValuePath);
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd(inValuePath) };
    }
    return left;
  }

  parseAnd(inValuePath: boolean): FilterNode {
    let left = this.parseUnary(inValuePath);
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary(inValuePath) };
    }
    return left;
  }

  parseUnary(inValuePath: boolean): FilterNode {
    const token = this.peek();
    // `not` is the keyword unless an operator follows it (an attribute named "not").
    if (this.isKeyword(token, 'not') && !this.isOperator(this.peek(1))) {
      this.next();
      this.enter(token.start);
      // RFC 7644 requires `not (…)`; a bare `not attr op value` is read the same way.
      const filter = this.parseUnary(inValuePath);
      this.leave();
      return { kind: 'not', filter };
    }
    if (token.kind === '(') {
      this.next();
      this.enter(token.start);
      const inner = this.parseOr(inValuePath);
      this.leave();
      this.expect(')', '")"');
      return inner;
    }
    return this.parseAttrExpression(inValuePath);
  }

  isOperator(token: Token): boolean {
    return (
      token.kind === 'word' &&
      (COMPARE_OPS.has(token.text.toLowerCase()) || token.text.toLowerCase() === 'pr')
    );
  }

  attrPath(token: Token): AttrPath {
    if (token.kind !== 'word')
      this.fail(`expected an attribute name but found ${describe(token)}`, token.start);
    const path = splitAttrPath(token.text);
    if (!path) this.fail(`"${token.text}" is not an attribute name`, token.start);
    return path;
  }

  parseAttrExpression(inValuePath: boolean): FilterNode {
    const token = this.next();
    const path = this.attrPath(token);
    if (this.peek().kind === '[') {
      const open = this.next();
      // RFC 7644 §3.4.2.2: a valFilter does not nest another valuePath.
      if (inValuePath) this.fail('a value filter inside a value filter', open.start);
      if (path.subAttribute) this.fail(`a value filter on the sub-attribute "${token.text}"`, open.start);
      this.enter(open.start);
      let filter = this.parseOr(true);
      this.leave();
      const close = this.expect(']', '"]"');
      // Not in the RFC's filter grammar, but clients write it as in PATCH paths: `emails[type eq "work"].value co "x"`
      // is one more condition on the same element.
      const after = this.peek();
      if (after.kind === 'word' && after.start === close.end && after.text.startsWith('.')) {
        this.next();
        const sub = after.text.slice(1);
        if (!ATTR_NAME.test(sub)) this.fail(`"${sub}" is not a sub-attribute name`, after.start + 1);
        filter = { kind: 'and', left: filter, right: this.parseOperation({ attribute: sub }, after) };
      }
      return { kind: 'valuePath', path, filter };
    }
    return this.parseOperation(path, token);
  }

  parseOperation(path: AttrPath, pathToken: Token): FilterNode {
    const opToken = this.next();
    const op = opToken.kind === 'word' ? opToken.text.toLowerCase() : '';
    if (op === 'pr') return { kind: 'present', path };
    if (!COMPARE_OPS.has(op)) {
      this.fail(
        `expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "${pathToken.text}" but found ${describe(opToken)}`,
        opToken.start,
      );
    }
    return { kind: 'compare', path, op: op as CompareOp, value: this.parseValue() };
  }

  parseValue(): FilterValue {
    const token = this.next();
    if (token.kind === 'string') return token.text;
    if (token.kind !== 'word') this.fail(`expected a value but found ${describe(token)}`, token.start);
    // Case-insensitive: some clients send `True`.
    const lower = token.text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (JSON_NUMBER.test(token.text)) return Number(token.text);
    // Entra ID sends some values unquoted (`userName eq john@x.fr`, `externalId eq 1234abcd-…`): they are strings.
    return token.text;
  }
}

function checkInput(text: string, error: ErrorClass, what: string): void {
  if (text.length > MAX_FILTER_LENGTH) {
    throw new error(`Invalid ${what}: longer than ${MAX_FILTER_LENGTH} characters.`);
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw new error(`Invalid ${what}: NUL character at position ${nul + 1}.`);
}

function filterError(message: string, at: number): never {
  throw new InvalidFilter(`Invalid filter: ${message} at position ${at + 1}.`);
}

/** Parses a `filter` query parameter (RFC 7644 §3.4.2.2); throws InvalidFilter naming the problem and its position. */
export function parseFilter(text: string): FilterNode {
  checkInput(text, InvalidFilter, 'filter');
  const parser = new Parser(tokenize(text, 0, filterError), InvalidFilter, 'filter');
  if (parser.peek().kind === 'end') throw new InvalidFilter('Invalid filter: it is empty.');
  const node = parser.parseOr(false);
  const rest = parser.peek();
  if (rest.kind !== 'end') parser.fail(`unexpected ${describe(rest)}`, rest.start);
  return node;
}

function pathError(message: string, at: number): never {
  throw new InvalidPath(`Invalid path: ${message} at position ${at + 1}.`);
}

/**
 * Parses a PATCH `path` (RFC 7644 §3.5.2): `attrPath` or `valuePath [ "." subAttr ]`; throws InvalidPath, filter
 * errors inside the brackets included.
 */
export function parsePath(text: string): PatchPath {
  checkInput(text, InvalidPath, 'path');
  const trimmed = text.trim();
  const lead = text.indexOf(trimmed);
  if (trimmed === '') throw new InvalidPath('Invalid path: it is empty.');
  // The attribute part ends at the bracket: the value filter may hold colons and dots of its own.
  const open = trimmed.indexOf('[');
  const head = open < 0 ? trimmed : trimmed.slice(0, open);
  const path = splitAttrPath(head);
  if (!path) pathError(`"${head}" is not an attribute path`, lead);
  if (open < 0) return { path };
  if (path.subAttribute) pathError(`a value filter on the sub-attribute "${head}"`, lead + open);
  const close = trimmed.lastIndexOf(']');
  if (close < open) pathError('expected "]"', lead + trimmed.length);
  const tokens = tokenize(trimmed.slice(open + 1, close), lead + open + 1, pathError);
  const parser = new Parser(tokens, InvalidPath, 'path');
  if (parser.peek().kind === 'end') pathError('empty value filter', lead + open);
  const filter = parser.parseOr(true);
  const rest = parser.peek();
  if (rest.kind !== 'end') parser.fail(`unexpected ${describe(rest)}`, rest.start);
  const tail = trimmed.slice(close + 1);
  if (tail === '') return { path, filter };
  const sub = tail.startsWith('.') ? tail.slice(1) : undefined;
  if (sub === undefined || !ATTR_NAME.test(sub))
    pathError(`"${tail}" after the value filter is not ".subAttribute"`, lead + close + 1);
  return { path, filter, subAttribute: sub };
}
