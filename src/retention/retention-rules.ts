// Retention rules as data (data policy §6; Amazon's data protection policy): the shipped
// defaults below, each period a named constant with its reason; operators override them by id
// with RETENTION_FILE (validated with zod; a bad entry is named). Which targets, clocks, actions
// and fields exist is fixed in code (retention-targets.ts): the rules only choose among them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Config } from '../config';
import { canonicalJson } from '../policy/policy';
import { RETENTION_TARGETS, type RetentionTargetName } from './retention-targets';

/** Amazon DPP: personal data no longer than 30 days after the order is delivered. */
export const PERSONAL_DATA_DAYS_AFTER_DELIVERY = 30;
/** Operations, returns and disputes need order-level detail for two years; trends are kept as aggregates after that. */
export const ORDER_DETAIL_MONTHS = 24;
/** Active accounting years and routine audits: settlements, refunds and fees stay live for 3 years, then move to the restricted archive. */
export const FINANCE_ARCHIVE_YEARS = 3;
/** Tax and accounting record keeping: financial records are kept 7 years, then deleted. */
export const FINANCE_DELETE_YEARS = 7;
/** Security investigations look back over a year; 400 days covers a full year plus a review quarter. */
export const API_CALL_LOG_DAYS = 400;
/** Amazon DPP: security logs are kept at least 90 days. Validation refuses a shorter period for them. */
export const SECURITY_LOG_MIN_DAYS = 90;
/** Day-to-day audit queries cover the last year; older audit records move to the restricted archive. */
export const AUDIT_ARCHIVE_YEARS = 1;
/** Audit evidence is kept as long as the financial records it may explain (7 years), then deleted. */
export const AUDIT_DELETE_YEARS = 7;

export const RETENTION_ACTIONS = ['DELETE', 'ANONYMIZE', 'AGGREGATE', 'ARCHIVE'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

/** What a record's retention period is counted from. */
export const RETENTION_CLOCKS = ['DELIVERY', 'PURCHASE', 'RETURN', 'SHIPMENT', 'POSTING', 'CREATION'] as const;
export type RetentionClock = (typeof RETENTION_CLOCKS)[number];

/** `30d`, `8w`, `24mo`, `7y`. */
const PERIOD = /^([1-9]\d{0,4})(d|w|mo|y)$/;

export interface RetentionRule {
  /** Stable id: evidence, `--rule`, and overrides refer to it. */
  id: string;
  target: RetentionTargetName;
  action: RetentionAction;
  clock: RetentionClock;
  /** How long after the clock the action applies, e.g. `30d`, `24mo`, `7y`. */
  after: string;
  /** ANONYMIZE: fields to clear (PERSONAL) or pseudonymize (IDENTIFIER); default: every PERSONAL field. */
  fields?: string[];
  /** Why the period is what it is (shown by `retention rules` and kept with the docs). */
  reason: string;
  enabled: boolean;
}

export interface RetentionRules {
  /** `<label>+<hash>`: carried by every run's evidence. */
  version: string;
  rules: RetentionRule[];
}

const rule = (id: string, target: RetentionTargetName, action: RetentionAction, clock: RetentionClock, after: string, reason: string, fields?: string[]): RetentionRule => ({
  id,
  target,
  action,
  clock,
  after,
  reason,
  enabled: true,
  ...(fields ? { fields } : {}),
});

/** The shipped rules, in the order a run applies them. */
export const DEFAULT_RETENTION_RULES: readonly RetentionRule[] = [
  rule('orders-personal-data', 'orders', 'ANONYMIZE', 'DELIVERY', `${PERSONAL_DATA_DAYS_AFTER_DELIVERY}d`, 'Amazon DPP: buyer personal data (ship postal code) no longer than 30 days after delivery', ['shipPostalCode']),
  rule('returns-personal-data', 'order_returns', 'ANONYMIZE', 'DELIVERY', `${PERSONAL_DATA_DAYS_AFTER_DELIVERY}d`, 'Amazon DPP: buyer comments on returns no longer than 30 days after the order was delivered', ['customerComments']),
  rule('orders-aggregate', 'orders', 'AGGREGATE', 'PURCHASE', `${ORDER_DETAIL_MONTHS}mo`, 'Order-level detail is needed two years for operations and disputes; sales trends are kept as daily aggregates'),
  rule('returns-delete', 'order_returns', 'DELETE', 'RETURN', `${ORDER_DETAIL_MONTHS}mo`, 'Return detail follows order detail (returns of aggregated orders go with them)'),
  rule('shipments-delete', 'shipments', 'DELETE', 'SHIPMENT', `${ORDER_DETAIL_MONTHS}mo`, 'Shipment detail follows order detail'),
  rule('settlements-archive', 'settlements', 'ARCHIVE', 'POSTING', `${FINANCE_ARCHIVE_YEARS}y`, 'Tax and accounting: live for the active accounting years, then the restricted archive'),
  rule('refunds-archive', 'refunds', 'ARCHIVE', 'POSTING', `${FINANCE_ARCHIVE_YEARS}y`, 'Tax and accounting: live for the active accounting years, then the restricted archive'),
  rule('fees-archive', 'fee_estimates', 'ARCHIVE', 'POSTING', `${FINANCE_ARCHIVE_YEARS}y`, 'Fee reports: live for the active accounting years, then the restricted archive'),
  rule('settlements-delete', 'settlements', 'DELETE', 'POSTING', `${FINANCE_DELETE_YEARS}y`, 'Tax record keeping ends after 7 years (live rows and archived copies)'),
  rule('refunds-delete', 'refunds', 'DELETE', 'POSTING', `${FINANCE_DELETE_YEARS}y`, 'Tax record keeping ends after 7 years (live rows and archived copies)'),
  rule('fees-delete', 'fee_estimates', 'DELETE', 'POSTING', `${FINANCE_DELETE_YEARS}y`, 'Tax record keeping ends after 7 years (live rows and archived copies)'),
  rule('api-call-logs-delete', 'api_call_logs', 'DELETE', 'CREATION', `${API_CALL_LOG_DAYS}d`, 'Security investigations over a year plus a review quarter; never under 90 days (Amazon DPP)'),
  rule('audit-archive', 'audit_records', 'ARCHIVE', 'CREATION', `${AUDIT_ARCHIVE_YEARS}y`, 'Audit records older than a year move to the restricted archive (readable under AUDIT)'),
  rule('audit-delete', 'audit_records', 'DELETE', 'CREATION', `${AUDIT_DELETE_YEARS}y`, 'Audit evidence is kept as long as the financial records it may explain'),
];

/** Smallest number of days a period can mean (months as 28 days, years as 365). */
export function minimumDays(period: string): number {
  const match = PERIOD.exec(period);
  if (!match) return 0;
  const n = Number(match[1]);
  return { d: n, w: 7 * n, mo: 28 * n, y: 365 * n }[match[2] as 'd' | 'w' | 'mo' | 'y'];
}

/** The instant `period` before `now` (calendar months and years, in UTC). */
export function cutoffOf(period: string, now: Date): Date {
  const match = PERIOD.exec(period);
  if (!match) throw new Error(`Invalid retention period ${period}`);
  const n = Number(match[1]);
  const date = new Date(now.getTime());
  switch (match[2]) {
    case 'd':
      date.setUTCDate(date.getUTCDate() - n);
      break;
    case 'w':
      date.setUTCDate(date.getUTCDate() - 7 * n);
      break;
    case 'mo':
      date.setUTCMonth(date.getUTCMonth() - n);
      break;
    default:
      date.setUTCFullYear(date.getUTCFullYear() - n);
  }
  return date;
}

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'rule ids are lower-case-with-dashes'),
    target: z.enum(Object.keys(RETENTION_TARGETS) as [RetentionTargetName, ...RetentionTargetName[]]),
    action: z.enum(RETENTION_ACTIONS),
    clock: z.enum(RETENTION_CLOCKS),
    after: z.string().regex(PERIOD, 'a period like 30d, 8w, 24mo or 7y'),
    fields: z.array(z.string()).min(1).optional(),
    reason: z.string().min(1).max(500),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((value, ctx) => {
    const target = RETENTION_TARGETS[value.target];
    if (!target.actions.includes(value.action)) {
      ctx.addIssue({ code: 'custom', path: ['action'], message: `${value.target} supports ${target.actions.join(', ')}, not ${value.action}` });
    }
    if (!target.clocks[value.clock]) {
      ctx.addIssue({ code: 'custom', path: ['clock'], message: `${value.target} has the clocks ${Object.keys(target.clocks).join(', ')}, not ${value.clock}` });
    }
    if (value.fields) {
      if (value.action !== 'ANONYMIZE') ctx.addIssue({ code: 'custom', path: ['fields'], message: 'fields apply to ANONYMIZE only' });
      value.fields.forEach((field, index) => {
        if (!target.fields?.[field]) {
          ctx.addIssue({ code: 'custom', path: ['fields', index], message: `${value.target} has no anonymizable field ${field} (${Object.keys(target.fields ?? {}).join(', ') || 'none'})` });
        }
      });
    }
    if (target.securityLog && minimumDays(value.after) < SECURITY_LOG_MIN_DAYS && (value.action === 'DELETE' || value.action === 'ANONYMIZE')) {
      ctx.addIssue({ code: 'custom', path: ['after'], message: `${value.target} are security logs: kept at least ${SECURITY_LOG_MIN_DAYS} days (Amazon DPP), ${value.after} is shorter` });
    }
  });

const fileSchema = z
  .object({
    /** Operator label; the effective version always adds a content hash. */
    version: z.string().min(1).max(60).optional(),
    /** Rules replacing defaults with the same id, or added after them. */
    rules: z.array(ruleSchema),
  })
  .strict();

export type RetentionRulesFile = z.input<typeof fileSchema>;

function describeIssues(error: z.ZodError, source: string, document: { rules?: { id?: unknown }[] }): string {
  const lines = error.issues.map((issue) => {
    const [first, index, ...rest] = issue.path;
    const id = first === 'rules' && typeof index === 'number' ? document.rules?.[index]?.id : undefined;
    const where = first === 'rules' && typeof index === 'number' ? `rules[${index}]${typeof id === 'string' ? ` (${id})` : ''}${rest.length ? `.${rest.join('.')}` : ''}` : issue.path.join('.') || '(file)';
    return `${where}: ${issue.message}`;
  });
  return `Invalid retention rules in ${source}: ${lines.join('; ')}`;
}

/** Merges an operator's rules over the defaults (by id) and validates the result. */
export function parseRetentionRules(input: unknown, source = 'retention rules'): RetentionRules {
  const parsed = fileSchema.safeParse(input);
  if (!parsed.success) throw new Error(describeIssues(parsed.error, source, (input ?? {}) as { rules?: { id?: unknown }[] }));
  const ids = parsed.data.rules.map((r) => r.id);
  const twice = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (twice.length > 0) throw new Error(`Invalid retention rules in ${source}: rule ${twice[0]} is listed twice`);
  const overrides = new Map(parsed.data.rules.map((r) => [r.id, r as RetentionRule]));
  const merged = DEFAULT_RETENTION_RULES.map((r) => overrides.get(r.id) ?? r);
  for (const r of parsed.data.rules) if (!DEFAULT_RETENTION_RULES.some((d) => d.id === r.id)) merged.push(r as RetentionRule);
  return withVersion(merged, parsed.data.version ?? 'custom');
}

function withVersion(rules: RetentionRule[], label: string): RetentionRules {
  const hash = createHash('sha256').update(canonicalJson(rules)).digest('hex').slice(0, 12);
  return { version: `${label}+${hash}`, rules };
}

let defaults: RetentionRules | undefined;

/** The shipped rules (version `default-1+<hash>`). */
export function defaultRetentionRules(): RetentionRules {
  defaults ??= withVersion([...DEFAULT_RETENTION_RULES], 'default-1');
  return defaults;
}

/** RETENTION_FILE when set (merged over the defaults), else the defaults. */
export function loadRetentionRules(config: Pick<Config, 'RETENTION_FILE'>): RetentionRules {
  if (!config.RETENTION_FILE) return defaultRetentionRules();
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(config.RETENTION_FILE, 'utf8'));
  } catch (error) {
    throw new Error(`RETENTION_FILE ${config.RETENTION_FILE}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseRetentionRules(document, config.RETENTION_FILE);
}
