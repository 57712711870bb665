// The shipped policy (DESIGN.md "Default roles"), written out as data: one explicit grant per
// (role, purpose). INTERNAL is `full` wherever the purpose belongs to the field's category (the
// category check is the decision's step 2, not part of the grant).
import { parsePolicy, type Grant, type Policy, type PolicyInput } from './policy';
import { ALL_PERMISSIONS, Permission, Purpose } from './taxonomy';

const grant = (CONFIDENTIAL: Grant['CONFIDENTIAL'], IDENTIFIER: Grant['IDENTIFIER'], PERSONAL: Grant['PERSONAL']): Grant => ({
  INTERNAL: 'full',
  CONFIDENTIAL,
  IDENTIFIER,
  PERSONAL,
});

export const DEFAULT_POLICY_DOCUMENT: PolicyInput = {
  version: 'default-1',
  aggregates: { k: 5 },
  // Values that can be recomputed from other fields: the parts are decided at least as strictly.
  derivations: [
    {
      protects: 'Order.orderTotal',
      from: ['OrderItem.itemPrice', 'OrderItem.shippingPrice', 'OrderItem.itemTax', 'OrderItem.promotionDiscount'],
      description: "An order's total is the sum of its items' prices, shipping and tax, less promotion discounts",
    },
    { protects: 'Settlement.totalAmount', from: ['SettlementLine.amount'], description: "A settlement's total is the sum of its lines' amounts" },
    { protects: 'FeeEstimate.estimatedFeeTotal', from: ['FeeEstimate.referralFee', 'FeeEstimate.fulfillmentFee'], description: 'The estimated fee total is the sum of its fees' },
    { protects: 'AdMetrics.spend', from: ['AdDailyMetrics.spend'], description: 'Spend over a range is the sum of its days' },
    { protects: 'AdMetrics.sales', from: ['AdDailyMetrics.sales'], description: 'Attributed sales over a range are the sum of their days' },
    { protects: 'Order.deliveredAt', from: ['Order.lastUpdateDate'], description: "A delivered order's last update is, most often, its delivery" },
  ],
  roles: {
    catalog_manager: {
      description: 'Maintains listings: titles, prices, listing status',
      purposes: [Purpose.LISTING_MAINTENANCE],
      grants: { [Purpose.LISTING_MAINTENANCE]: grant('masked', 'masked', 'deny') },
    },
    ads_manager: {
      description: 'Runs advertising: campaigns, bids, budgets and their performance',
      purposes: [Purpose.ADVERTISING_MANAGEMENT],
      grants: { [Purpose.ADVERTISING_MANAGEMENT]: grant('full', 'masked', 'deny') },
    },
    operations: {
      description: 'Fulfilment, stock and after-sales service',
      purposes: [Purpose.INVENTORY_PLANNING, Purpose.OPERATIONAL_REPORTING, Purpose.AFTER_SALES, Purpose.OPERATIONS_MANAGEMENT],
      grants: {
        [Purpose.INVENTORY_PLANNING]: grant('masked', 'masked', 'deny'),
        [Purpose.OPERATIONAL_REPORTING]: grant('masked', 'masked', 'deny'),
        [Purpose.AFTER_SALES]: grant('masked', 'full', 'full'),
        [Purpose.OPERATIONS_MANAGEMENT]: grant('masked', 'masked', 'deny'),
      },
    },
    finance: {
      description: 'Accounting, settlements and business analysis',
      purposes: [Purpose.ACCOUNTING, Purpose.BUSINESS_ANALYSIS, Purpose.OPERATIONAL_REPORTING],
      permissions: [Permission.EXPORT_DATA],
      grants: {
        [Purpose.ACCOUNTING]: grant('full', 'full', 'deny'),
        [Purpose.BUSINESS_ANALYSIS]: grant('full', 'masked', 'deny'),
        [Purpose.OPERATIONAL_REPORTING]: grant('full', 'masked', 'deny'),
      },
    },
    analyst: {
      description: 'Business analysis on masked detail and k-anonymous aggregates',
      purposes: [Purpose.BUSINESS_ANALYSIS, Purpose.OPERATIONAL_REPORTING],
      permissions: [Permission.EXPORT_DATA],
      grants: {
        [Purpose.BUSINESS_ANALYSIS]: grant('masked', 'masked', 'deny'),
        [Purpose.OPERATIONAL_REPORTING]: grant('masked', 'masked', 'deny'),
      },
    },
    compliance: {
      description: 'Compliance review and audit; may ask the gateway to explain any decision',
      purposes: [Purpose.COMPLIANCE_REVIEW, Purpose.AUDIT, Purpose.PLATFORM_COMPLIANCE],
      // Deletion requests are approved or rejected by admin or compliance (data policy §6).
      permissions: [Permission.EXPLAIN_ACCESS, Permission.MANAGE_DELETION_REQUESTS, Permission.EXPORT_DATA],
      grants: {
        [Purpose.COMPLIANCE_REVIEW]: grant('full', 'full', 'masked'),
        [Purpose.AUDIT]: grant('full', 'full', 'masked'),
        [Purpose.PLATFORM_COMPLIANCE]: grant('full', 'full', 'masked'),
      },
    },
    security: {
      description: 'Security monitoring and troubleshooting of the gateway',
      purposes: [Purpose.SECURITY, Purpose.TROUBLESHOOTING, Purpose.AUDIT],
      grants: {
        [Purpose.SECURITY]: grant('masked', 'full', 'deny'),
        [Purpose.TROUBLESHOOTING]: grant('masked', 'full', 'deny'),
        [Purpose.AUDIT]: grant('masked', 'full', 'deny'),
      },
    },
    admin: {
      description: 'Manages tokens, accounts, retention and deletion requests; reads no data',
      purposes: [],
      permissions: [...ALL_PERMISSIONS],
      grants: {},
    },
  },
};

let cached: Policy | undefined;

/** The shipped default policy, validated like an operator's file. */
export function defaultPolicy(): Policy {
  cached ??= parsePolicy(DEFAULT_POLICY_DOCUMENT, 'default policy');
  return cached;
}
