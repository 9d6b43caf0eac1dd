// The parsed forms of RFC 7644 filters (§3.4.2.2) and PATCH paths (§3.5.2): what filter.ts produces, and what the SQL
// compiler (filter-sql.ts) and the PATCH engine (patch.ts) read.

/** RFC 7644 §3.4.2.2 attribute operators. */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/**
 * An attribute as written (`userName`, `name.givenName`, `urn:…:User:userName`, `meta.lastModified`): names keep the
 * client's case; compare them lower-cased (RFC 7643 §2.1: attribute names are case-insensitive).
 */
export interface AttrPath {
  /** The schema URN prefix when the client wrote one (`urn:ietf:params:scim:schemas:core:2.0:User`). */
  schema?: string;
  attribute: string;
  subAttribute?: string;
}

export type FilterValue = string | number | boolean | null;

export type FilterNode =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and'; left: FilterNode; right: FilterNode }
  | { kind: 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; filter: FilterNode }
  /** `emails[type eq "work" and primary eq true]`: `filter`'s paths name sub-attributes of `path`'s elements. */
  | { kind: 'valuePath'; path: AttrPath; filter: FilterNode };

/** A PATCH `path` (RFC 7644 §3.5.2): `attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub`. */
export interface PatchPath {
  path: AttrPath;
  /** The value filter that selects elements of a multi-valued attribute. */
  filter?: FilterNode;
  /** The sub-attribute after a value filter: `emails[type eq "work"].value`. */
  subAttribute?: string;
}
