// The streams a sync pulls, per seller account and marketplace. Report streams ask the Reports API
// for a report the importers know; API streams page through an API; Ads streams use the Ads API.

export type StreamKind = 'report' | 'settlement' | 'orders' | 'inventory' | 'finances' | 'ads-entities' | 'ads-report';

export interface StreamDefinition {
  name: string;
  kind: StreamKind;
  description: string;
  /** Report type (report streams) or importer type of the documents. */
  reportType?: string;
  /** Report streams: the report covers a time window (else it is a snapshot). */
  windowed?: boolean;
  /** Ads report streams: report type id and grouping. */
  ads?: { reportTypeId: string; groupBy: string[]; columns: string[] };
}

const METRICS = ['impressions', 'clicks', 'cost', 'sales7d', 'purchases7d', 'unitsSoldClicks7d'];

export const STREAMS: readonly StreamDefinition[] = [
  { name: 'orders-report', kind: 'report', reportType: 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL', windowed: true, description: 'All Orders report by last update (orders and items)' },
  { name: 'listings', kind: 'report', reportType: 'GET_MERCHANT_LISTINGS_ALL_DATA', description: 'All Listings report' },
  { name: 'open-listings', kind: 'report', reportType: 'GET_FLAT_FILE_OPEN_LISTINGS_DATA', description: 'Open Listings (inventory) report' },
  { name: 'shipments', kind: 'report', reportType: 'GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL', windowed: true, description: 'Amazon-fulfilled shipments report' },
  { name: 'fba-returns', kind: 'report', reportType: 'GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA', windowed: true, description: 'FBA customer returns report' },
  { name: 'mfn-returns', kind: 'report', reportType: 'GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE', windowed: true, description: 'Merchant-fulfilled returns report' },
  { name: 'fba-inventory-report', kind: 'report', reportType: 'GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA', description: 'Manage FBA Inventory report' },
  { name: 'restock', kind: 'report', reportType: 'GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT', description: 'Restock recommendations report' },
  { name: 'fees', kind: 'report', reportType: 'GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA', description: 'FBA fee preview report' },
  { name: 'settlements', kind: 'settlement', reportType: 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE', description: 'Settlement reports (made by Amazon, listed with getReports)' },
  { name: 'orders', kind: 'orders', reportType: 'SPAPI_ORDERS_V0', description: 'Orders API v0 getOrders by LastUpdatedAfter (no restricted data)' },
  { name: 'inventory', kind: 'inventory', reportType: 'SPAPI_FBA_INVENTORY_SUMMARIES_V1', description: 'FBA Inventory summaries' },
  { name: 'finances', kind: 'finances', reportType: 'SPAPI_FINANCES', description: 'Finances listTransactions' },
  { name: 'ads-entities', kind: 'ads-entities', reportType: 'ADS_SP_V3_ENTITIES', description: 'Sponsored Products campaigns, ad groups, keywords, targets, product ads (v3 list)' },
  { name: 'ads-campaigns', kind: 'ads-report', reportType: 'ADS_SP_DAILY_REPORT', ads: { reportTypeId: 'spCampaigns', groupBy: ['campaign'], columns: ['date', 'campaignId', ...METRICS] }, description: 'Sponsored Products daily campaign report (reporting v3)' },
  { name: 'ads-ad-groups', kind: 'ads-report', reportType: 'ADS_SP_DAILY_REPORT', ads: { reportTypeId: 'spCampaigns', groupBy: ['campaign', 'adGroup'], columns: ['date', 'campaignId', 'adGroupId', ...METRICS] }, description: 'Sponsored Products daily ad group report' },
  { name: 'ads-targeting', kind: 'ads-report', reportType: 'ADS_SP_DAILY_REPORT', ads: { reportTypeId: 'spTargeting', groupBy: ['targeting'], columns: ['date', 'campaignId', 'adGroupId', 'keywordId', 'keywordType', ...METRICS] }, description: 'Sponsored Products daily targeting report' },
  { name: 'ads-advertised-products', kind: 'ads-report', reportType: 'ADS_SP_DAILY_REPORT', ads: { reportTypeId: 'spAdvertisedProduct', groupBy: ['advertiser'], columns: ['date', 'campaignId', 'adGroupId', 'adId', 'advertisedSku', 'advertisedAsin', ...METRICS] }, description: 'Sponsored Products daily advertised product report' },
];

export const STREAM_NAMES = STREAMS.map((s) => s.name);

export function streamByName(name: string): StreamDefinition | undefined {
  return STREAMS.find((s) => s.name === name);
}
