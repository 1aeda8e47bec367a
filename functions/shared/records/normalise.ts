/**
 * Normalisation before validation: only what is unambiguous, and every change reported.
 * - every string: surrounding white space removed (ASCII, full-width/ideographic U+3000, BOM);
 * - structured fields (codes, dates, identifiers: `x-normalise` in the schema): full-width ASCII
 *   (U+FF01–U+FF5E) → ASCII, the ideographic space → space;
 * - code fields (`x-normalise: "code"`): also lower-case letters → upper case.
 * Changes to personal data (identity numbers, wherever they appear) are reported masked.
 * Free text keeps its full-width punctuation: （）、，are correct Chinese typography, not errors.
 *
 * Copy-on-write: the input is never mutated; objects are copied only along changed paths, so a
 * clean record costs one walk and no allocation.
 */
import { maskResidentId } from './identifiers.js';
import type { FieldInfo, NormaliseKind } from './schema-index-types.js';
import { schemaIndex } from './generated/schema-index.js';

export interface NormalisationChange {
  /** JSON pointer of the changed value. */
  path: string;
  before: string;
  after: string;
}

/** Normalisation plan: a tree mirroring the record, with the kind of each structured field. */
interface PlanNode {
  kind?: NormaliseKind;
  /** Personal data: the change report shows it masked. */
  personal?: boolean;
  children?: Map<string, PlanNode>;
}

function buildPlan(fields: FieldInfo[]): PlanNode {
  const root: PlanNode = {};
  for (const { path, normalise, personal } of fields) {
    let node = root;
    for (const key of path.split('/').slice(1)) {
      node.children ??= new Map();
      let child = node.children.get(key);
      if (!child) node.children.set(key, (child = {}));
      node = child;
    }
    if (normalise) node.kind = normalise;
    if (personal) node.personal = true;
  }
  return root;
}

const plans = new Map<string, PlanNode>(Object.entries(schemaIndex.fields).map(([type, fields]) => [type, buildPlan(fields)]));

const FULL_WIDTH = /[\uFF01-\uFF5E\u3000]/g;
const HAS_FULL_WIDTH = /[\uFF01-\uFF5E\u3000]/;
const LOWER = /[a-z]/g;
const HAS_LOWER = /[a-z]/;
/** An 18-character identity-card number anywhere in a string (6-digit division, 19xx/20xx birth year). */
const ID_NUMBER_INSIDE = /[1-8]\d{5}(?:19|20)\d{2}[01]\d[0-3]\d{4}[\dXx]/;

/**
 * Could String.prototype.trim remove this character? A superset (all controls, NEL) by char code:
 * a false positive only sends the string down the slow path, where trim itself decides.
 */
function isTrimmable(c: number): boolean {
  return (
    c <= 0x20 ||
    (c >= 0x7f &&
      (c === 0xa0 ||
        c === 0x85 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000 ||
        c === 0xfeff))
  );
}

export function normaliseString(value: string, kind: NormaliseKind | undefined): string {
  // free text with nothing to trim, the common case, is returned without a copy
  if (kind === undefined && (value.length === 0 || (!isTrimmable(value.charCodeAt(0)) && !isTrimmable(value.charCodeAt(value.length - 1))))) return value;
  let out = value;
  if (kind !== undefined && HAS_FULL_WIDTH.test(out)) {
    out = out.replace(FULL_WIDTH, (ch) => (ch === '\u3000' ? ' ' : String.fromCharCode(ch.charCodeAt(0) - 0xfee0)));
  }
  out = out.trim();
  // ASCII letters only: toUpperCase would also turn ß into SS and ſ into S
  if (kind === 'code' && HAS_LOWER.test(out)) out = out.replace(LOWER, (ch) => ch.toUpperCase());
  return out;
}

/**
 * Returns the normalised record and the changes made. Fields the schema does not know are only
 * trimmed (validation then reports them as unknown).
 */
export function normaliseRecord(record: Record<string, unknown>): { record: Record<string, unknown>; changes: NormalisationChange[] } {
  const type = typeof record['recordType'] === 'string' && plans.has(record['recordType']) ? record['recordType'] : 'envelope';
  const changes: NormalisationChange[] = [];
  const out = walk(record, plans.get(type), [], changes) as Record<string, unknown>;
  return { record: out, changes };
}

/** `keys` is the path so far; it is joined into a pointer only when something changes. */
function walk(value: unknown, plan: PlanNode | undefined, keys: string[], changes: NormalisationChange[]): unknown {
  if (typeof value === 'string') {
    const after = normaliseString(value, plan?.kind);
    if (after !== value) {
      const path = keys.map((k) => `/${escapePointer(k)}`).join('');
      // personal fields, and any value that holds an identity number (one sent in the wrong field, say), are shown masked
      const mask = plan?.personal || ID_NUMBER_INSIDE.test(after);
      changes.push(mask ? { path, before: maskResidentId(value), after: maskResidentId(after) } : { path, before: value, after });
    }
    return after;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const itemPlan = plan?.children?.get('*');
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      keys.push(String(i));
      const next = walk(value[i], itemPlan, keys, changes);
      keys.pop();
      if (next !== value[i]) (copy ??= value.slice())[i] = next;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    const child = obj[key];
    keys.push(key);
    const next = walk(child, plan?.children?.get(key), keys, changes);
    keys.pop();
    if (next !== child) (copy ??= { ...obj })[key] = next;
  }
  return copy ?? obj;
}

export function escapePointer(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replaceAll('~', '~0').replaceAll('/', '~1') : key;
}
