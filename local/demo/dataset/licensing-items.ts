/**
 * The licensing-item list (告知承诺事项清单), pushed first: one licensingItem record per catalogue
 * item (source hrbxq-approval, recordId = the item code), all in wave 1, so the exchange has the
 * whole list before it checks any commitment against it. The list as it stands: the item taken off
 * at the end of 2025 (OFF_LIST_ITEM) is pushed with its end date. No randomness here.
 */
import { LICENSING_ITEMS, OFF_LIST_ITEM, departmentOf, type LicensingItem } from '../catalogue.js';
import type { DatasetContext } from './context.js';
import type { Json } from './model.js';
import { SOURCES } from './plan.js';

/** The list's records, queued in wave 1. Returns how many. */
export function pushLicensingItems(ctx: DatasetContext): number {
  for (const item of LICENSING_ITEMS) ctx.add(licensingItemRecord(ctx, item), true, { wave: 1 });
  return LICENSING_ITEMS.length;
}

export function licensingItemRecord(ctx: DatasetContext, item: LicensingItem): Json {
  const department = departmentOf(item);
  const data: Json = {
    itemCode: item.code,
    itemName: item.name,
    department: department.unit,
    departmentUscc: item.departmentUscc,
    approvalConditions: item.approvalConditions,
    legalBasis: item.legalBasis,
    commitmentMaterials: [...item.commitmentMaterials],
    commitmentTimeLimitDays: item.commitmentTimeLimitDays,
    allowedCommitmentTypes: [...item.allowedCommitmentTypes],
    verificationMethods: [...item.verificationMethods],
    validFrom: item.validFrom,
    validTo: item.validTo,
    ...(item.remarks && { remarks: item.remarks }),
  };
  // the list's last change to the item: its removal announced, or its entry into force
  const day = item.name === OFF_LIST_ITEM.name ? OFF_LIST_ITEM.announced : item.validFrom;
  return ctx.envelope('licensingItem', SOURCES.approval, item.code, 1, `${day}T09:00:00+08:00`, data);
}
