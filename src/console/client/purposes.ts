// The purposes of the data policy (as the API's Purpose enum), and those of the system logs.
export const PURPOSES = [
  'LISTING_MAINTENANCE',
  'ADVERTISING_MANAGEMENT',
  'INVENTORY_PLANNING',
  'OPERATIONAL_REPORTING',
  'AFTER_SALES',
  'COMPLIANCE_REVIEW',
  'OPERATIONS_MANAGEMENT',
  'ACCOUNTING',
  'BUSINESS_ANALYSIS',
  'SECURITY',
  'TROUBLESHOOTING',
  'AUDIT',
  'PLATFORM_COMPLIANCE',
];

/** Purposes under which the audit log and system logs are read. */
export const LOG_PURPOSES = ['AUDIT', 'SECURITY', 'PLATFORM_COMPLIANCE', 'TROUBLESHOOTING'];
