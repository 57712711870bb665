// The vocabulary of the company's data policy: categories, purposes, sensitivities and masks.
// Everything else (roles, grants, the decision) is data built on these names.
import { registerEnumType } from 'type-graphql';

/** The five data categories of the data policy. */
export enum Category {
  CATALOG = 'CATALOG',
  ADVERTISING = 'ADVERTISING',
  ORDERS = 'ORDERS',
  INVENTORY_FINANCE = 'INVENTORY_FINANCE',
  SYSTEM_LOGS = 'SYSTEM_LOGS',
}

/** Purposes of use a caller declares with `X-Purpose`. */
export enum Purpose {
  LISTING_MAINTENANCE = 'LISTING_MAINTENANCE',
  ADVERTISING_MANAGEMENT = 'ADVERTISING_MANAGEMENT',
  INVENTORY_PLANNING = 'INVENTORY_PLANNING',
  OPERATIONAL_REPORTING = 'OPERATIONAL_REPORTING',
  AFTER_SALES = 'AFTER_SALES',
  COMPLIANCE_REVIEW = 'COMPLIANCE_REVIEW',
  OPERATIONS_MANAGEMENT = 'OPERATIONS_MANAGEMENT',
  ACCOUNTING = 'ACCOUNTING',
  BUSINESS_ANALYSIS = 'BUSINESS_ANALYSIS',
  SECURITY = 'SECURITY',
  TROUBLESHOOTING = 'TROUBLESHOOTING',
  AUDIT = 'AUDIT',
  PLATFORM_COMPLIANCE = 'PLATFORM_COMPLIANCE',
}

/** How sensitive a field's value is (DESIGN.md "Sensitivity of a field"). */
export enum Sensitivity {
  PUBLIC = 'PUBLIC',
  INTERNAL = 'INTERNAL',
  CONFIDENTIAL = 'CONFIDENTIAL',
  IDENTIFIER = 'IDENTIFIER',
  PERSONAL = 'PERSONAL',
}

/** Masks keep the field's GraphQL type (DESIGN.md "Masks"). */
export enum MaskKind {
  LAST4 = 'LAST4',
  PSEUDONYM = 'PSEUDONYM',
  ROUND = 'ROUND',
  MONTH = 'MONTH',
  REDACT = 'REDACT',
}

/** The purposes each category may be used for: the policy table, verbatim. */
export const CATEGORY_PURPOSES: Readonly<Record<Category, readonly Purpose[]>> = {
  [Category.CATALOG]: [Purpose.LISTING_MAINTENANCE],
  [Category.ADVERTISING]: [Purpose.ADVERTISING_MANAGEMENT],
  [Category.ORDERS]: [
    Purpose.INVENTORY_PLANNING,
    Purpose.OPERATIONAL_REPORTING,
    Purpose.AFTER_SALES,
    Purpose.COMPLIANCE_REVIEW,
  ],
  [Category.INVENTORY_FINANCE]: [Purpose.OPERATIONS_MANAGEMENT, Purpose.ACCOUNTING, Purpose.BUSINESS_ANALYSIS],
  [Category.SYSTEM_LOGS]: [Purpose.SECURITY, Purpose.TROUBLESHOOTING, Purpose.AUDIT, Purpose.PLATFORM_COMPLIANCE],
};

export const ALL_CATEGORIES = Object.values(Category);
export const ALL_PURPOSES = Object.values(Purpose);
export const ALL_SENSITIVITIES = Object.values(Sensitivity);

export function isPurpose(value: string): value is Purpose {
  return (ALL_PURPOSES as string[]).includes(value);
}

registerEnumType(Category, { name: 'DataCategory', description: 'Data category of the company data policy' });
registerEnumType(Purpose, { name: 'Purpose', description: 'Declared purpose of use (X-Purpose header)' });
registerEnumType(Sensitivity, { name: 'Sensitivity', description: 'Sensitivity class of a field' });
registerEnumType(MaskKind, { name: 'MaskKind', description: 'How a masked value is derived' });

/**
 * Administrative actions that are not data reads (no purpose applies): granted to roles in the
 * policy and declared on the operation with `@Allow(...)` (classification.ts).
 */
export enum Permission {
  MANAGE_TOKENS = 'MANAGE_TOKENS',
  EXPLAIN_ACCESS = 'EXPLAIN_ACCESS',
  MANAGE_ACCOUNTS = 'MANAGE_ACCOUNTS',
  IMPORT_DATA = 'IMPORT_DATA',
  MANAGE_RETENTION = 'MANAGE_RETENTION',
  MANAGE_DELETION_REQUESTS = 'MANAGE_DELETION_REQUESTS',
  SUSPEND_PRINCIPALS = 'SUSPEND_PRINCIPALS',
  /** Amazon API credentials: list their metadata (never their values), remove them. */
  MANAGE_CREDENTIALS = 'MANAGE_CREDENTIALS',
  /** Make restricted exports (CSV/JSONL files of a query's rows, read under the same policy). */
  EXPORT_DATA = 'EXPORT_DATA',
}

export const ALL_PERMISSIONS = Object.values(Permission);

/** The category a purpose belongs to in the policy table (each purpose belongs to exactly one). */
export function categoryOfPurpose(purpose: Purpose): Category {
  const category = ALL_CATEGORIES.find((candidate) => CATEGORY_PURPOSES[candidate].includes(purpose));
  if (!category) throw new Error(`Purpose ${purpose} belongs to no category`);
  return category;
}

registerEnumType(Permission, { name: 'Permission', description: 'Administrative action granted to a role' });
