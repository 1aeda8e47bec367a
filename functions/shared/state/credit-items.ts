/**
 * How the credit items are kept, whatever keeps them (docs/sync-state.md): a credit contribution
 * (SUBJ#<digest> / CREDIT#…), an item of the licensing-item list (ITEM#<code>), a commitment's
 * deadline (DUE#<code>) and a credit check (CHECK#<month>). Both SyncState implementations write
 * these items and read them back with the functions here, so they store the same attributes.
 */
import type { CommitmentDue, CreditCheckEntry, CreditContribution, LicensingItemEntry } from '../credit/types.js';
import {
  COMMITMENT_DUE_SK,
  LICENSING_ITEM_SK,
  commitmentDuePk,
  creditCheckPk,
  creditCheckSk,
  creditSk,
  licensingItemPk,
  recordPk,
  subjectPk,
  type RecordRef,
} from './keys.js';

type KeyedItem = Record<string, unknown> & { pk: string; sk: string };

/** The record named by an item's `recordType`, `source` and `recordId`. */
const refIn = (item: Record<string, unknown>): RecordRef => ({
  recordType: item['recordType'] as RecordRef['recordType'],
  source: String(item['source']),
  recordId: String(item['recordId']),
});

// ---------------------------------------------------------------- credit contributions

/** A contribution's item: the record's identity spread, its revision and operation, the role, the origin, the company and the fact (a map). */
export function creditItem(subjectDigest: string, contribution: CreditContribution): KeyedItem {
  const { ref, ...rest } = contribution;
  return { pk: subjectPk(subjectDigest), sk: creditSk(contribution.role, ref), ...ref, ...rest };
}

/** A contribution as it was written. */
export function creditContributionOf(item: Record<string, unknown>): CreditContribution {
  return {
    ref: refIn(item),
    revision: Number(item['revision']),
    operation: item['operation'] as CreditContribution['operation'],
    role: item['role'] as CreditContribution['role'],
    origin: item['origin'] as CreditContribution['origin'],
    ...(item['company'] !== undefined && { company: item['company'] as NonNullable<CreditContribution['company']> }),
    fact: item['fact'] as CreditContribution['fact'],
  };
}

// ---------------------------------------------------------------- the licensing-item list

/** An item of the list: its entry, the holder's identity spread, and the holder's record pk (`recordPk`: what the guard compares). */
export function licensingItemItem(entry: LicensingItemEntry): KeyedItem {
  const { ref, ...rest } = entry;
  return {
    pk: licensingItemPk(entry.itemCode),
    sk: LICENSING_ITEM_SK,
    ...ref,
    recordPk: recordPk(ref),
    ...rest,
    allowedCommitmentTypes: [...entry.allowedCommitmentTypes],
  };
}

export function licensingItemEntryOf(item: Record<string, unknown>): LicensingItemEntry {
  return {
    itemCode: String(item['itemCode']),
    ref: refIn(item),
    revision: Number(item['revision']),
    operation: item['operation'] as LicensingItemEntry['operation'],
    itemName: String(item['itemName']),
    department: String(item['department']),
    departmentUscc: String(item['departmentUscc']),
    commitmentTimeLimitDays: Number(item['commitmentTimeLimitDays']),
    allowedCommitmentTypes: Array.isArray(item['allowedCommitmentTypes']) ? (item['allowedCommitmentTypes'] as string[]).map(String) : [],
    validFrom: String(item['validFrom']),
    validTo: String(item['validTo']),
  };
}

// ---------------------------------------------------------------- commitment deadlines

export const commitmentDueKey = (commitmentCode: string): { pk: string; sk: string } => ({ pk: commitmentDuePk(commitmentCode), sk: COMMITMENT_DUE_SK });

/**
 * The commitment's attributes of its DUE item (its verifications' are `verifiedBy` and
 * `lastVerification`): the commitment's identity spread, `cmtRevision`, the deadline and
 * `dueKey`, and what `credex overdue` shows. `unset`: the optional ones this revision does not
 * have (removed, so a newer revision replaces the older one's whole).
 */
export function commitmentAttributes(due: CommitmentDue, dueKey: string): { set: Record<string, unknown>; unset: string[] } {
  const set: Record<string, unknown> = {
    commitmentCode: due.commitmentCode,
    ...due.ref,
    cmtRevision: due.revision,
    deadline: due.deadline,
    dueKey,
    commitmentDate: due.commitmentDate,
    department: due.department,
    ...(due.itemCode !== undefined && { itemCode: due.itemCode }),
    ...(due.withdrawn !== undefined && { withdrawn: due.withdrawn }),
  };
  const unset = [...(due.itemCode === undefined ? ['itemCode'] : []), ...(due.withdrawn === undefined ? ['withdrawn'] : [])];
  return { set, unset };
}

export function commitmentDueOf(item: Record<string, unknown>): CommitmentDue {
  return {
    commitmentCode: String(item['commitmentCode']),
    ref: refIn(item),
    revision: Number(item['cmtRevision']),
    deadline: String(item['deadline']),
    commitmentDate: String(item['commitmentDate']),
    department: String(item['department']),
    ...(typeof item['itemCode'] === 'string' && { itemCode: item['itemCode'] }),
    ...(typeof item['withdrawn'] === 'boolean' && { withdrawn: item['withdrawn'] }),
  };
}

// ---------------------------------------------------------------- the credit check log

export function creditCheckItem(entry: CreditCheckEntry): KeyedItem {
  return { pk: creditCheckPk(entry.at), sk: creditCheckSk(entry.at, entry.id), ...entry };
}

export function creditCheckEntryOf(item: Record<string, unknown>): CreditCheckEntry {
  const { pk: _pk, sk: _sk, ...entry } = item;
  return entry as unknown as CreditCheckEntry;
}
