/**
 * A commitment against the licensing-item list (docs/licensing-items.md): a 审批替代型 or 容缺受理型
 * commitment must name an item of the list in force on its commitment date whose allowed
 * commitment types include its own, and its fulfilment deadline is the commitment date plus the
 * item's time limit (a source may send an earlier one, never a later one). Pure: the caller reads
 * the item.
 */
import { addDays } from '../records/dates.js';
import type { CreditRecord } from '../records/types.js';
import type { ValidationIssue } from '../records/validate.js';
import { refOf } from '../state/types.js';
import type { LicensingItemEntry } from './types.js';

/** Commitment types that grant a licence on a commitment: they need an item of the list. */
export const LISTED_COMMITMENT_TYPES: readonly string[] = ['审批替代型', '容缺受理型'];

/**
 * The commitment types of 告知承诺 itself — a licence or a certification granted on the commitment —
 * to which the eligibility rule of 国办发〔2020〕42号 applies. A credit-repair commitment (信用修复型)
 * is the way out of a breach, and self-discipline, voluntary and other commitments grant nothing:
 * none of them is flagged for its subject's credit.
 */
export const NOTIFY_AND_COMMIT_TYPES: readonly string[] = ['审批替代型', '容缺受理型', '证明事项型'];

export interface ListCheck {
  /** Why the commitment is refused (quarantined); empty when it passes. */
  issues: ValidationIssue[];
  /** The fulfilment deadline the exchange keeps (absent when the commitment names no item). */
  deadline?: string;
  /** What differs but does not refuse it (the item's name or department as the commitment spells them). */
  warnings: string[];
}

type Data = Record<string, unknown>;
const RULE = 'licensingItem';

/** The item code a commitment names, if any. */
export function itemCodeOf(record: CreditRecord): string | undefined {
  const item = (record.data as Data)['licensingItem'];
  if (item === null || typeof item !== 'object') return undefined;
  const code = (item as Data)['itemCode'];
  return typeof code === 'string' ? code : undefined;
}

export function checkAgainstList(record: CreditRecord, item: LicensingItemEntry | undefined): ListCheck {
  const d = record.data as Data;
  const code = itemCodeOf(record);
  if (record.recordType !== 'commitment' || code === undefined || record.operation === 'withdraw') return { issues: [], warnings: [] };
  const type = String(d['commitmentType']);
  const date = String(d['commitmentDate']);
  const listed = LISTED_COMMITMENT_TYPES.includes(type);
  const issue = (path: string, message: string): ListCheck =>
    listed ? { issues: [{ path, rule: RULE, message }], warnings: [] } : { issues: [], warnings: [message] };
  if (item === undefined || item.operation === 'withdraw')
    return issue(
      '/data/licensingItem/itemCode',
      `item ${code} is not on the licensing-item list${item ? ' (taken off it)' : ''}: a ${type} commitment must name an item of the list`,
    );
  if (date < item.validFrom || date > item.validTo)
    return issue(
      '/data/licensingItem/itemCode',
      `item ${code} (${item.itemName}) is in force from ${item.validFrom} to ${item.validTo}, not on the commitment date ${date}`,
    );
  if (listed && !item.allowedCommitmentTypes.includes(type))
    return issue('/data/commitmentType', `item ${code} (${item.itemName}) allows ${item.allowedCommitmentTypes.join('、')} commitments, not ${type}`);

  const limit = latestDeadline(date, item);
  const given = givenDeadline(record);
  if (given !== undefined && given > limit)
    return {
      issues: [
        {
          path: '/data/fulfilmentDeadline',
          rule: RULE,
          message: `item ${code} gives ${item.commitmentTimeLimitDays} days from the commitment date: the deadline is ${limit} at the latest, not ${given}`,
        },
      ],
      warnings: [],
    };
  const warnings: string[] = [];
  const named = d['licensingItem'] as Data;
  if (named['itemName'] !== item.itemName) warnings.push(`item ${code} is named ${item.itemName} on the list, not ${String(named['itemName'])}`);
  if (named['department'] !== item.department) warnings.push(`item ${code} belongs to ${item.department} on the list, not ${String(named['department'])}`);
  return { issues: [], deadline: given ?? limit, warnings };
}

/** The last day an item's time limit gives a commitment made on `commitmentDate`. */
export function latestDeadline(commitmentDate: string, item: Pick<LicensingItemEntry, 'commitmentTimeLimitDays'>): string {
  return addDays(commitmentDate, item.commitmentTimeLimitDays);
}

/** The fulfilment deadline a commitment states (sent by its source, or set by the exchange). */
export function givenDeadline(record: CreditRecord): string | undefined {
  const given = record.data['fulfilmentDeadline'];
  return typeof given === 'string' ? given : undefined;
}

/** A licensingItem record as the list keeps it (SyncState.putLicensingItem). */
export function licensingItemEntryOf(record: CreditRecord): LicensingItemEntry {
  const d = record.data as Data;
  return {
    itemCode: String(d['itemCode']),
    ref: refOf(record),
    revision: record.revision,
    operation: record.operation,
    itemName: String(d['itemName']),
    department: String(d['department']),
    departmentUscc: String(d['departmentUscc']),
    commitmentTimeLimitDays: Number(d['commitmentTimeLimitDays']),
    allowedCommitmentTypes: d['allowedCommitmentTypes'] as string[],
    validFrom: String(d['validFrom']),
    validTo: String(d['validTo']),
  };
}

/** The commitment as the exchange keeps it: with the fulfilment deadline the list gives (unchanged when there is none). */
export function withDeadline(record: CreditRecord, deadline: string | undefined): CreditRecord {
  if (deadline === undefined || record.data['fulfilmentDeadline'] === deadline) return record;
  return { ...record, data: { ...record.data, fulfilmentDeadline: deadline } };
}
