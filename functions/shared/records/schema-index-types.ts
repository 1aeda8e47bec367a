/** Shapes of the schema index that scripts/generate-validators.ts derives from schemas/. */

/** How a string field is normalised before validation (free text is only trimmed). */
export type NormaliseKind = 'code' | 'structured';

export interface FieldInfo {
  /** JSON pointer from the record root; `*` stands for any array index. */
  path: string;
  /** The Chinese field name. */
  title?: string;
  description?: string;
  normalise?: NormaliseKind;
  /** Personal data (identity numbers): never logged, masked for public destinations. */
  personal?: boolean;
  /** The values the field may take, when the schema enumerates them (an array field: its items'). */
  enum?: readonly string[];
  /** true for fields that hold a value, false for objects of further fields. */
  leaf: boolean;
}

/** A cross-field rule named in a schema's `x-rules`, with its arguments. */
export interface RuleRef {
  rule: string;
  [arg: string]: unknown;
}

export interface SchemaIndex {
  /** Per record type (and `envelope`), every field. */
  fields: Record<string, FieldInfo[]>;
  /** Per record type, the cross-field rules its data schema names. */
  rules: Record<string, RuleRef[]>;
}
