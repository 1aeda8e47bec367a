/**
 * schemas/field-mapping.json as the code reads it: per record type, each canonical field's code on
 * the platforms (or why it is not sent); the record types never sent at all; the codes the adapters
 * derive rather than copy; the canonical values sent as codes; the codes only the district
 * receives. One table for the adapters, the simulators, docs/field-mapping.md and the tests.
 *
 * Imported as a JSON module: tsc type-checks it and copies it into dist/, Node 22 and ts-jest load
 * it natively, a bundler inlines it. No file is read at run time.
 */
import json from '../../../schemas/field-mapping.json' with { type: 'json' };
import type { RecordType } from './types.js';

export type FieldTarget = string | { unmapped: string };

export interface DerivedCode {
  title: string;
  kind: 'boolean' | 'date';
  description: string;
}

export interface FieldMapping {
  /** Per record type sent to platforms: canonical path → code, or why it is not sent. */
  fields: Partial<Record<RecordType, Readonly<Record<string, FieldTarget>>>>;
  /** Record types never sent to any platform, and why. */
  notSent: Partial<Record<RecordType, string>>;
  /** Per record type, codes the adapters compute (the publication), with their kind. */
  derived: Partial<Record<RecordType, Readonly<Record<string, DerivedCode>>>>;
  /** Per code, canonical value → the code sent. */
  codeLists: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Codes only the district platform receives (the district's own black points). */
  districtOnly: ReadonlySet<string>;
}

const SECTIONS = new Set(['$comment', 'derived', 'codeLists', 'districtOnly']);

type Json = Record<string, unknown>;

/** Splits the JSON document into its parts (exported for tests of other documents). */
export function parseFieldMapping(doc: Json): FieldMapping {
  const fields: FieldMapping['fields'] = {};
  const notSent: FieldMapping['notSent'] = {};
  for (const [key, value] of Object.entries(doc)) {
    if (SECTIONS.has(key)) continue;
    const section = value as Json;
    if (typeof section['unmapped'] === 'string') notSent[key as RecordType] = section['unmapped'];
    else fields[key as RecordType] = section as Record<string, FieldTarget>;
  }
  return {
    fields,
    notSent,
    derived: (doc['derived'] ?? {}) as FieldMapping['derived'],
    codeLists: (doc['codeLists'] ?? {}) as FieldMapping['codeLists'],
    districtOnly: new Set((doc['districtOnly'] ?? []) as string[]),
  };
}

export const fieldMapping: FieldMapping = parseFieldMapping(json as Json);
