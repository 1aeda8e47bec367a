/**
 * What the credit platforms refuse for what a record means, beyond its fields' forms
 * (docs/endpoints.md, "What every platform refuses"): a decision not to punish sent as a penalty,
 * the district's own black points, and a breach published against its tier. The provincial and
 * municipal simulators answer these as contract errors; the district platform takes the points.
 */
import { fieldMapping } from '../../functions/shared/records/field-mapping.js';
import { NON_PENALTY_MARKER } from '../../functions/shared/records/rules.js';
import { isSeverityTier, tierBounds } from '../../functions/shared/records/publication.js';
import type { FieldIssue, FieldValues } from './fields.js';

export interface DomainRuleOptions {
  /** The platform publishes breaches: each must state its publication (SX_SFGS, CF_GSJZQ). */
  publishes: boolean;
  /** The district platform: its own black points are welcome there. */
  district: boolean;
}

/** Problems of a breach (CF) upsert, given its decoded values and the codes sent. */
export function breachProblems(values: FieldValues, sent: ReadonlySet<string>, options: DomainRuleOptions): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const code of ['CF_WSH', 'CF_NR']) {
    const value = values.get(code);
    const marker = typeof value === 'string' ? NON_PENALTY_MARKER.exec(value)?.[0] : undefined;
    if (marker !== undefined) {
      issues.push({
        errorCode: 'E102',
        field: code,
        message: `${code} 不予行政处罚决定不是行政处罚信息 ("${marker}"): a decision not to punish is not a penalty and must not be shared as a CF record`,
      });
    }
  }
  if (!options.district) {
    for (const code of fieldMapping.districtOnly) {
      if (sent.has(code))
        issues.push({ errorCode: 'E103', field: code, message: `${code} 区级积分不予共享: the district's own black points are not shared with this platform` });
    }
  }
  if (options.publishes) issues.push(...publicationProblems(values, sent));
  return issues;
}

function publicationProblems(values: FieldValues, sent: ReadonlySet<string>): FieldIssue[] {
  if (!sent.has('SX_SFGS')) return [{ errorCode: 'E101', field: 'SX_SFGS', message: 'SX_SFGS 必填字段缺失: a breach states whether it is published' }];
  // a value that did not decode has its own error already
  if (!values.has('SX_SFGS')) return [];
  const published = values.get('SX_SFGS');
  const severity = values.get('SX_YZCD');
  const decided = values.get('CF_JDRQ');
  const end = values.get('CF_GSJZQ');
  if (published !== true) {
    return sent.has('CF_GSJZQ')
      ? [{ errorCode: 'E102', field: 'CF_GSJZQ', message: 'CF_GSJZQ is the end of a publication: not sent for a record that is not published' }]
      : [];
  }
  const issues: FieldIssue[] = [];
  if (severity === '轻微' && values.get('SX_QXGS') !== true) {
    issues.push({
      errorCode: 'E102',
      field: 'SX_SFGS',
      message: 'SX_SFGS 轻微失信信息原则上不予公示: a 轻微 record is published only where the department decided it necessary (SX_QXGS 是)',
    });
  }
  if (!sent.has('CF_GSJZQ'))
    issues.push({ errorCode: 'E101', field: 'CF_GSJZQ', message: 'CF_GSJZQ 必填字段缺失: a published record states the end of its publication' });
  else if (isSeverityTier(severity) && typeof decided === 'string' && typeof end === 'string') {
    const { minEnd, maxEnd } = tierBounds(severity, decided);
    if (end < minEnd || end > maxEnd)
      issues.push({
        errorCode: 'E102',
        field: 'CF_GSJZQ',
        message: `CF_GSJZQ 公示期限不符合失信严重程度: for ${severity} decided ${decided} the end lies between ${minEnd} and ${maxEnd}, found ${end}`,
      });
  }
  return issues;
}
