// The SCIM PATCH engine (RFC 7644 §3.5.2): turns a PatchOp message into the changed document, and a Group's member
// operations into member changes the caller applies in SQL, without ever loading the members.
import {
  type AttributeSpec,
  findAttribute,
  findSubAttribute,
  isCoreSchema,
  keyOf,
  type ScimDocument,
  type ScimKind,
} from './attributes.ts';
import { UUID } from './documents.ts';
import {
  InvalidFilter,
  InvalidPath,
  InvalidSyntax,
  InvalidValue,
  Mutability,
  NoTarget,
  ScimError,
} from './errors.ts';
import { parsePath } from './filter.ts';
import type { AttrPath, CompareOp, FilterNode, FilterValue, PatchPath } from './filter-ast.ts';

export type { ScimDocument } from './attributes.ts';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * What a PATCH does to a Group's members, for the caller to check (every id must be a user of the organization) and
 * apply: when `replace` is set the members become exactly that list; otherwise, when `removeAll` is set, every
 * member is removed first; then the ids of `remove` are removed and those of `add` added (`add` and `remove` never
 * share an id). Ids are kept as the client sent them, in order, without duplicates.
 */
export interface MemberChanges {
  replace?: string[];
  add: string[];
  remove: string[];
  removeAll?: boolean;
}

export interface PatchPlan {
  document: ScimDocument;
  /** Present only when an operation touched a Group's members. */
  members?: MemberChanges;
}

type Op = 'add' | 'remove' | 'replace';

/**
 * Applies a PatchOp message to `current` (a Group rendered without its members). Operations apply in order and any
 * error aborts the whole PATCH (RFC 7644 §3.5.2: the operations are atomic), so the caller writes nothing.
 */
export function applyPatch(kind: ScimKind, current: ScimDocument, body: unknown): PatchPlan {
  const operations = readMessage(body);
  const state: PatchState = { kind, document: structuredClone(current) };
  for (const operation of operations) applyOperation(state, operation);
  const members = state.members;
  if (!members) return { document: state.document };
  return {
    document: state.document,
    members: {
      ...(members.replace ? { replace: [...members.replace] } : {}),
      add: [...members.add],
      remove: [...members.remove],
      ...(members.removeAll ? { removeAll: true } : {}),
    },
  };
}

/** MemberChanges while operations apply: sets (ordered by insertion), so 20,000 ids cost 20,000 steps, not 20,000². */
interface MemberWork {
  replace?: Set<string>;
  add: Set<string>;
  remove: Set<string>;
  removeAll?: boolean;
}

interface PatchState {
  kind: ScimKind;
  document: ScimDocument;
  members?: MemberWork;
}

interface Operation {
  op: Op;
  path?: string;
  value: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readMessage(body: unknown): Operation[] {
  if (!isRecord(body)) throw new InvalidSyntax('A PATCH body must be a PatchOp message.');
  const schemasKey = keyOf(body, 'schemas');
  const schemas = schemasKey === undefined ? undefined : body[schemasKey];
  // RFC 7644 §3.5.2: the body MUST carry the PatchOp schema URI.
  if (
    !Array.isArray(schemas) ||
    !schemas.some(
      (schema) => typeof schema === 'string' && schema.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase(),
    )
  ) {
    throw new InvalidSyntax(`A PATCH body must list the schema ${PATCH_OP_SCHEMA}.`);
  }
  // Clients vary in the case of "Operations".
  const operationsKey = keyOf(body, 'Operations');
  const operations = operationsKey === undefined ? undefined : body[operationsKey];
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new InvalidSyntax('A PATCH body must have a non-empty Operations list.');
  }
  return operations.map(readOperation);
}

function readOperation(raw: unknown): Operation {
  if (!isRecord(raw)) throw new InvalidSyntax('Each PATCH operation must be an object.');
  const field = (name: string) => {
    const key = keyOf(raw, name);
    return key === undefined ? undefined : raw[key];
  };
  const opName = field('op');
  const op = typeof opName === 'string' ? opName.toLowerCase() : undefined;
  if (op !== 'add' && op !== 'remove' && op !== 'replace') {
    throw new InvalidSyntax('A PATCH operation\'s "op" must be add, remove or replace.');
  }
  const path = field('path');
  if (path !== undefined && path !== null && typeof path !== 'string') {
    throw new InvalidSyntax('A PATCH operation\'s "path" must be a string.');
  }
  const value = field('value');
  // RFC 7644 §3.5.2.1 and §3.5.2.3: add and replace carry a "value".
  if (op !== 'remove' && value === undefined) {
    throw new InvalidSyntax(`A PATCH "${op}" operation needs a "value".`);
  }
  // A blank path is read as no path, like an absent one.
  return typeof path === 'string' && path.trim() !== '' ? { op, path, value } : { op, value };
}

function applyOperation(state: PatchState, operation: Operation): void {
  if (operation.path === undefined) {
    // RFC 7644 §3.5.2.2: a remove without path fails with noTarget.
    if (operation.op === 'remove') throw new NoTarget('A remove operation needs a path.');
    // RFC 7644 §3.5.2.1, §3.5.2.3: without a path, the value holds the attributes to add or replace.
    applyAttributeSet(state, operation.op, operation.value);
    return;
  }
  applyAtPath(state, operation.op, readPath(operation.path), operation.value);
}

/** A path-less value `{"name.givenName": "Ann", "urn:…:User:userName": "ann", …}`: each key is a path. */
function applyAttributeSet(state: PatchState, op: 'add' | 'replace', value: unknown): void {
  if (!isRecord(value))
    throw new InvalidValue(`A path-less "${op}" needs an object of attributes as its value.`);
  for (const [key, attributeValue] of Object.entries(value)) {
    // `{"urn:ietf:params:scim:schemas:core:2.0:User": {…}}` nests the attributes of the core schema.
    if (isCoreSchema(state.kind, key)) {
      applyAttributeSet(state, op, attributeValue);
      continue;
    }
    let path: PatchPath;
    try {
      path = readPath(key);
    } catch (error) {
      // Extension schema URNs (`urn:…:enterprise:2.0:User`) are not attribute paths Desk declares: ignored.
      if (key.toLowerCase().startsWith('urn:')) continue;
      throw error;
    }
    applyAtPath(state, op, path, attributeValue);
  }
}

function readPath(text: string): PatchPath {
  try {
    return parsePath(text);
  } catch (error) {
    // RFC 7644 Table 9: a path that cannot be parsed is invalidPath, whatever the filter parser calls it.
    if (error instanceof ScimError && error.scimType !== 'invalidPath') throw new InvalidPath(error.message);
    throw error;
  }
}

/** The declared attribute a path names, or undefined when Desk does not declare it (then the operation is ignored). */
interface Target {
  spec: AttributeSpec;
  /** `name.givenName`, `emails.value`, or the sub-attribute after a value filter. */
  sub?: AttributeSpec;
  filter?: FilterNode;
}

function resolve(kind: ScimKind, patchPath: PatchPath): Target | undefined {
  const { path, filter } = patchPath;
  // Another schema's attributes (the enterprise extension…) are not declared: Entra sends its default mapping.
  if (path.schema !== undefined && !isCoreSchema(kind, path.schema)) return undefined;
  const spec = findAttribute(kind, path.attribute);
  if (!spec) return undefined;
  if (path.subAttribute !== undefined && patchPath.subAttribute !== undefined) {
    throw new InvalidPath(`"${path.attribute}.${path.subAttribute}" cannot take a value filter.`);
  }
  const subName = path.subAttribute ?? patchPath.subAttribute;
  if (filter && !spec.multiValued) {
    throw new InvalidPath(`"${spec.name}" is not multi-valued: it takes no value filter.`);
  }
  if (subName === undefined) return filter ? { spec, filter } : { spec };
  if (spec.type !== 'complex') throw new InvalidPath(`"${spec.name}" has no sub-attributes.`);
  const sub = findSubAttribute(spec, subName);
  if (!sub) return undefined;
  return filter ? { spec, sub, filter } : { spec, sub };
}

function applyAtPath(state: PatchState, op: Op, patchPath: PatchPath, value: unknown): void {
  // RFC 7644 §3.5.2 lets clients send "schemas"; Desk decides it, so it is ignored.
  if (patchPath.path.attribute.toLowerCase() === 'schemas' && patchPath.path.schema === undefined) return;
  const target = resolve(state.kind, patchPath);
  if (!target) return;
  const { spec } = target;
  if (spec.name === 'id') {
    // Okta's rename sends the id back unchanged with the new displayName: an equal id is no change.
    if (op !== 'remove' && target.sub === undefined && value === state.document.id) return;
    throw new Mutability('id is read-only.');
  }
  if (spec.mutability === 'readOnly') throw new Mutability(`${spec.name} is read-only.`);
  if (state.kind === 'Group' && spec.name === 'members') {
    applyMembers(state, op, target, value);
    return;
  }
  if (spec.multiValued) applyMultiValued(state.document, op, target, value);
  else if (target.sub) applySubAttribute(state.document, op, spec, target.sub, value);
  else applySingle(state.document, op, spec, value);
}

function applySingle(document: ScimDocument, op: Op, spec: AttributeSpec, value: unknown): void {
  const key = keyOf(document, spec.name);
  if (key !== undefined && key !== spec.name) delete document[key];
  if (op === 'remove' || value === null) {
    // RFC 7644 §3.5.2.2: removing a required attribute fails with mutability.
    if (spec.required) {
      if (op === 'remove') throw new Mutability(`${spec.name} is required and cannot be removed.`);
      throw new InvalidValue(`${spec.name} is required.`);
    }
    if (key !== undefined) delete document[key];
    return;
  }
  const previous = key === undefined ? undefined : document[key];
  const next = coerce(spec, value);
  // RFC 7644 §3.5.2.1 and §3.5.2.3: a complex attribute's given sub-attributes replace, the others stay.
  document[spec.name] =
    spec.type === 'complex' && isRecord(previous) && isRecord(next) ? { ...previous, ...next } : next;
  if (spec.type === 'complex' && isRecord(document[spec.name])) pruneEmpty(document, spec.name);
}

function applySubAttribute(
  document: ScimDocument,
  op: Op,
  spec: AttributeSpec,
  sub: AttributeSpec,
  value: unknown,
): void {
  const key = keyOf(document, spec.name) ?? spec.name;
  const parent = isRecord(document[key]) ? { ...(document[key] as Record<string, unknown>) } : {};
  const subKey = keyOf(parent, sub.name);
  if (subKey !== undefined) delete parent[subKey];
  if (op !== 'remove' && value !== null) parent[sub.name] = coerce(sub, value);
  if (key !== spec.name) delete document[key];
  document[spec.name] = parent;
  pruneEmpty(document, spec.name);
}

/** RFC 7643 §2.5: an empty complex or multi-valued attribute is unassigned. */
function pruneEmpty(document: ScimDocument, name: string): void {
  const value = document[name];
  if ((Array.isArray(value) && value.length === 0) || (isRecord(value) && Object.keys(value).length === 0)) {
    delete document[name];
  }
}

function applyMultiValued(document: ScimDocument, op: Op, target: Target, value: unknown): void {
  const { spec, sub, filter } = target;
  const key = keyOf(document, spec.name);
  const current = key === undefined ? [] : document[key];
  const elements: Record<string, unknown>[] = Array.isArray(current)
    ? current.filter(isRecord).map((e) => ({ ...e }))
    : [];
  if (key !== undefined) delete document[key];
  let next: Record<string, unknown>[];
  if (filter) next = applyToSelected(op, spec, sub, filter, elements, value);
  else if (sub) next = applyToEverySub(op, sub, elements, value);
  else next = applyToWhole(op, spec, elements, value);
  if (next.length > 0) document[spec.name] = next;
}

/** `emails[type eq "work"]` and `emails[type eq "work"].value`. */
function applyToSelected(
  op: Op,
  spec: AttributeSpec,
  sub: AttributeSpec | undefined,
  filter: FilterNode,
  elements: Record<string, unknown>[],
  value: unknown,
): Record<string, unknown>[] {
  const selected = elements.filter((element) => matchesElement(filter, element, spec));
  if (op === 'remove') {
    // RFC 7644 §3.5.2.2: a value filter that matches nothing fails with noTarget.
    if (selected.length === 0) throw new NoTarget(`No ${spec.name} value matches the filter.`);
    if (!sub) return elements.filter((element) => !selected.includes(element));
    for (const element of selected) {
      const subKey = keyOf(element, sub.name);
      if (subKey !== undefined) delete element[subKey];
    }
    return elements.filter((element) => Object.keys(element).length > 0);
  }
  const given = sub ? { [sub.name]: value } : value;
  if (!isRecord(given)) throw new InvalidValue(`A value of ${spec.name} must be an object.`);
  const values = coerceElement(spec, given);
  if (selected.length === 0) {
    // RFC 7644 §3.5.2.3 says noTarget when a replace's value filter matches nothing; Entra ID sends
    // `emails[type eq "work"].value` to users with no work email and expects the email to be set, so when the filter
    // is only equalities (`type eq "work"`) the element they describe is added, as an add would. Other filters,
    // which describe no element, still fail with noTarget.
    const described = equalities(filter, spec);
    if (!described) throw new NoTarget(`No ${spec.name} value matches the filter.`);
    const created = { ...described, ...values };
    return keepOnePrimary([...elements, created], created);
  }
  const equal = equalities(filter, spec) ?? {};
  for (const element of selected) {
    if (!sub && op === 'replace') {
      // RFC 7644 §3.5.2.3: matching records are replaced; what the filter says of them (type work) stays true.
      for (const key of Object.keys(element)) delete element[key];
      Object.assign(element, equal);
    }
    for (const [name, subValue] of Object.entries(values)) {
      const existing = keyOf(element, name);
      if (existing !== undefined) delete element[existing];
      element[name] = subValue;
    }
  }
  return keepOnePrimary(elements, values.primary === true ? selected[0] : undefined);
}

/** `emails.value` without a filter: every element's sub-attribute. */
function applyToEverySub(
  op: Op,
  sub: AttributeSpec,
  elements: Record<string, unknown>[],
  value: unknown,
): Record<string, unknown>[] {
  for (const element of elements) {
    const subKey = keyOf(element, sub.name);
    if (subKey !== undefined) delete element[subKey];
  }
  if (op === 'remove' || value === null) return elements.filter((element) => Object.keys(element).length > 0);
  const subValue = coerce(sub, value);
  if (elements.length === 0) return [{ [sub.name]: subValue }];
  for (const element of elements) element[sub.name] = subValue;
  return elements;
}

/** `emails`: the whole multi-valued attribute. */
function applyToWhole(
  op: Op,
  spec: AttributeSpec,
  elements: Record<string, unknown>[],
  value: unknown,
): Record<string, unknown>[] {
  if (op === 'remove') {
    if (value === undefined || value === null) return [];
    // Entra and Okta remove listed values with `"path": "members", "value": [{"value": …}]`; the same is read here.
    const listed = coerceList(spec, value);
    return elements.filter((element) => !listed.some((given) => sameValue(spec, element, given)));
  }
  if (value === null) return [];
  const given = coerceList(spec, value);
  onePrimaryAtMost(spec, given);
  // RFC 7644 §3.5.2.3: without a filter, all values are replaced.
  if (op === 'replace') return given;
  // RFC 7644 §3.5.2.1: new values are added; a value already there is not added twice.
  let result = elements;
  for (const element of given) {
    const existing = result.find((candidate) => sameValue(spec, candidate, element));
    if (existing) Object.assign(existing, element);
    else result = [...result, element];
    if (element.primary === true) result = keepOnePrimary(result, existing ?? element);
  }
  return result;
}

/** Two elements are the same value when their `value` and `type` are equal (as the attribute compares them). */
function sameValue(spec: AttributeSpec, a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return ['value', 'type'].every((name) => {
    const sub = findSubAttribute(spec, name);
    if (!sub) return true;
    const left = a[keyOf(a, name) ?? name];
    const right = b[keyOf(b, name) ?? name];
    if (name === 'type' && right === undefined) return true;
    return compareValues(left, right, sub) === 0;
  });
}

/** RFC 7643 §2.4: "primary" is true on one value at most; setting it moves it (RFC 7644 §3.5.2). */
function keepOnePrimary(
  elements: Record<string, unknown>[],
  chosen: Record<string, unknown> | undefined,
): Record<string, unknown>[] {
  if (chosen?.primary !== true) return elements;
  for (const element of elements) {
    if (element !== chosen && element.primary === true) element.primary = false;
  }
  return elements;
}

function onePrimaryAtMost(spec: AttributeSpec, elements: Record<string, unknown>[]): void {
  if (elements.filter((element) => element.primary === true).length > 1) {
    throw new InvalidValue(`Only one value of ${spec.name} can be primary.`);
  }
}

/** The element an equality-only filter describes (`type eq "work" and primary eq true`), or undefined. */
function equalities(node: FilterNode, spec: AttributeSpec): Record<string, unknown> | undefined {
  if (node.kind === 'and') {
    const left = equalities(node.left, spec);
    const right = equalities(node.right, spec);
    return left && right ? { ...left, ...right } : undefined;
  }
  if (node.kind !== 'compare' || node.op !== 'eq' || node.path.subAttribute !== undefined) return undefined;
  const sub = findSubAttribute(spec, node.path.attribute);
  if (!sub || node.value === null) return undefined;
  return { [sub.name]: coerce(sub, node.value) };
}

// --- Group members: turned into MemberChanges, never into document edits. ---

function applyMembers(state: PatchState, op: Op, target: Target, value: unknown): void {
  if (target.sub) throw new InvalidPath('Members are changed as a whole or by value, not by sub-attribute.');
  state.members ??= { add: new Set(), remove: new Set() };
  const changes = state.members;
  if (target.filter) {
    if (op !== 'remove')
      throw new InvalidPath('Members are added or replaced by a list, not through a value filter.');
    for (const id of memberIdsOfFilter(target.filter)) removeMember(changes, id);
    return;
  }
  if (op === 'remove') {
    if (value === undefined || value === null) {
      // RFC 7644 §3.5.2.2: `remove` of `members` without a filter removes them all.
      if (changes.replace) changes.replace.clear();
      else Object.assign(changes, { add: new Set(), remove: new Set(), removeAll: true });
      return;
    }
    for (const id of memberIds(value)) removeMember(changes, id);
    return;
  }
  const ids = value === null ? [] : memberIds(value);
  if (op === 'replace') {
    state.members = { replace: new Set(ids), add: new Set(), remove: new Set() };
    return;
  }
  for (const id of ids) addMember(changes, id);
}

function addMember(changes: MemberWork, id: string): void {
  if (changes.replace) {
    changes.replace.add(id);
    return;
  }
  changes.remove.delete(id);
  changes.add.add(id);
}

function removeMember(changes: MemberWork, id: string): void {
  if (changes.replace) {
    changes.replace.delete(id);
    return;
  }
  changes.add.delete(id);
  // After a remove-all, nothing is left to remove but what was added since.
  if (!changes.removeAll) changes.remove.add(id);
}

/** `[{"value": id, "display"?, "type"?: "User"}]` → the ids, in order. */
function memberIds(value: unknown): string[] {
  if (!Array.isArray(value)) throw new InvalidValue('members must be a list of {"value": id}.');
  return value.map((member) => {
    if (!isRecord(member)) throw new InvalidValue('Each member must be an object {"value": id}.');
    const id = member[keyOf(member, 'value') ?? 'value'];
    if (typeof id !== 'string' || id === '')
      throw new InvalidValue('Each member needs a "value": the id of a user.');
    if (!UUID.test(id.trim()))
      throw new InvalidValue(`No user ${JSON.stringify(id.slice(0, 60))} in this organization.`);
    const type = member[keyOf(member, 'type') ?? 'type'];
    // Desk's groups hold users only: no nested groups.
    if (type !== undefined && type !== null && (typeof type !== 'string' || type.toLowerCase() !== 'user')) {
      throw new InvalidValue('Members of a group are users: type must be "User".');
    }
    // Ids compare as the database gives them back: lower case.
    return id.trim().toLowerCase();
  });
}

/** `members[value eq "a"]` or `members[value eq "a" or value eq "b"]`: the ids, evaluated without loading members. */
function memberIdsOfFilter(filter: FilterNode): string[] {
  if (filter.kind === 'or') return [...memberIdsOfFilter(filter.left), ...memberIdsOfFilter(filter.right)];
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.path.attribute.toLowerCase() === 'value' &&
    filter.path.subAttribute === undefined &&
    typeof filter.value === 'string'
  ) {
    return [filter.value.trim().toLowerCase()];
  }
  // RFC 7644 Table 9: invalidFilter also covers a filter the server does not support there.
  throw new InvalidFilter('Members are selected by value only: members[value eq "id"].');
}

// --- Values: checked against the declared types (RFC 7643 §2.3). ---

function coerce(spec: AttributeSpec, value: unknown): unknown {
  if (spec.multiValued) {
    const list = coerceList(spec, value);
    onePrimaryAtMost(spec, list);
    return list;
  }
  return coerceSingle(spec, value);
}

function coerceList(spec: AttributeSpec, value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value) || !value.every(isRecord)) {
    throw new InvalidValue(`${spec.name} must be a list of objects.`);
  }
  return value.map((element) => coerceElement(spec, element));
}

/** A complex value: declared sub-attributes in their canonical case, the others dropped. */
function coerceElement(spec: AttributeSpec, value: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, subValue] of Object.entries(value)) {
    const sub = findSubAttribute(spec, key);
    if (!sub || subValue === null || subValue === undefined) continue;
    result[sub.name] = coerceSingle(sub, subValue);
  }
  return result;
}

function coerceSingle(spec: AttributeSpec, value: unknown): unknown {
  switch (spec.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      // Entra ID sends `"active": "False"`.
      if (typeof value === 'string' && ['true', 'false'].includes(value.toLowerCase())) {
        return value.toLowerCase() === 'true';
      }
      throw new InvalidValue(`${spec.name} must be true or false.`);
    case 'complex':
      if (!isRecord(value)) throw new InvalidValue(`${spec.name} must be an object.`);
      return coerceElement(spec, value);
    default:
      if (typeof value !== 'string') throw new InvalidValue(`${spec.name} must be a string.`);
      if (spec.required && value.trim() === '') throw new InvalidValue(`${spec.name} cannot be empty.`);
      return value;
  }
}

// --- Value filters evaluated on a few elements in memory (RFC 7644 §3.4.2.2). ---

/**
 * Whether `element` (an email, a member, or a whole document) matches `node`. Attribute names compare
 * case-insensitively; strings too unless `spec` (the attribute whose elements these are) declares them caseExact.
 */
export function matchesElement(node: FilterNode, element: unknown, spec?: AttributeSpec): boolean {
  switch (node.kind) {
    case 'and':
      return matchesElement(node.left, element, spec) && matchesElement(node.right, element, spec);
    case 'or':
      return matchesElement(node.left, element, spec) || matchesElement(node.right, element, spec);
    case 'not':
      return !matchesElement(node.filter, element, spec);
    case 'present':
      return valuesAt(element, node.path, spec).some(({ value }) => isPresent(value));
    case 'valuePath': {
      const { values, spec: inner } = lookUp(element, node.path.attribute, spec);
      const items = values.flatMap((value) => (Array.isArray(value) ? value : [value]));
      return items.some((item) => matchesElement(node.filter, item, inner));
    }
    case 'compare': {
      const found = valuesAt(element, node.path, spec).filter(
        ({ value }) => value !== undefined && value !== null,
      );
      if (node.value === null) {
        // `attr eq null` asks for an unassigned attribute (RFC 7643 §2.5: null is unassigned).
        if (node.op === 'eq') return found.length === 0;
        if (node.op === 'ne') return found.length > 0;
        return false;
      }
      if (node.op === 'ne') return !found.some(({ value, spec: at }) => compare('eq', value, node.value, at));
      return found.some(({ value, spec: at }) => compare(node.op, value, node.value, at));
    }
  }
}

/** RFC 7644 §3.4.2.2 `pr`: a non-empty value, or a complex value with a non-empty node. */
function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isRecord(value)) return Object.values(value).some(isPresent);
  return true;
}

interface Found {
  value: unknown;
  spec?: AttributeSpec;
}

function lookUp(
  element: unknown,
  name: string,
  spec?: AttributeSpec,
): { values: unknown[]; spec?: AttributeSpec } {
  if (!isRecord(element)) return { values: [] };
  const key = keyOf(element, name);
  const inner = spec ? findSubAttribute(spec, name) : undefined;
  return { values: key === undefined ? [] : [element[key]], ...(inner ? { spec: inner } : {}) };
}

/** The values at `path` in `element`, a multi-valued attribute giving one value per element. */
function valuesAt(element: unknown, path: AttrPath, spec?: AttributeSpec): Found[] {
  const { values, spec: at } = lookUp(element, path.attribute, spec);
  const flat = values.flatMap((value) => (Array.isArray(value) ? value : [value]));
  if (path.subAttribute === undefined) return flat.map((value) => ({ value, ...(at ? { spec: at } : {}) }));
  const subName = path.subAttribute;
  return flat.flatMap((item) => {
    const inner = lookUp(item, subName, at);
    return inner.values
      .flatMap((value) => (Array.isArray(value) ? value : [value]))
      .map((value) => ({ value, ...(inner.spec ? { spec: inner.spec } : {}) }));
  });
}

function compare(op: CompareOp, actual: unknown, expected: FilterValue, spec?: AttributeSpec): boolean {
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    if (op !== 'eq') {
      // RFC 7644 §3.4.2.2: ordering or substring operators on a boolean are an invalidFilter.
      throw new InvalidFilter(`The operator ${op} does not apply to a boolean.`);
    }
    return actual === expected;
  }
  if (op === 'co' || op === 'sw' || op === 'ew') {
    if (typeof actual !== 'string' || typeof expected !== 'string') return false;
    const [a, e] = spec?.caseExact ? [actual, expected] : [actual.toLowerCase(), expected.toLowerCase()];
    if (op === 'co') return a.includes(e);
    return op === 'sw' ? a.startsWith(e) : a.endsWith(e);
  }
  const order = compareValues(actual, expected, spec);
  if (order === undefined) return false;
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    default:
      return order <= 0;
  }
}

/** The order of two values, or undefined when they cannot be compared. */
function compareValues(actual: unknown, expected: unknown, spec?: AttributeSpec): number | undefined {
  if (typeof actual === 'number' && typeof expected === 'number') return Math.sign(actual - expected);
  if (typeof actual === 'boolean' || typeof expected === 'boolean')
    return actual === expected ? 0 : undefined;
  if (typeof actual !== 'string' || typeof expected !== 'string') return undefined;
  if (spec?.type === 'dateTime') {
    const [a, e] = [Date.parse(actual), Date.parse(expected)];
    if (!Number.isNaN(a) && !Number.isNaN(e)) return Math.sign(a - e);
  }
  const [a, e] = spec?.caseExact ? [actual, expected] : [actual.toLowerCase(), expected.toLowerCase()];
  return a === e ? 0 : a < e ? -1 : 1;
}
