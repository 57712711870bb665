// Rate and burst of each Amazon operation the connectors call (token bucket per operation and
// selling partner). Selling Partner API values are those stated in each operation's description in
// Amazon's models (../shared/amazon-api-models; a test checks this table against them). The Ads API
// publishes no per-operation table: it throttles with 429 and Retry-After, so its buckets start at
// a conservative rate and follow what the API says.

export interface OperationRate {
  /** Requests per second. */
  rate: number;
  burst: number;
}

export const SP_API_RATES: Record<string, OperationRate> = {
  createReport: { rate: 0.0167, burst: 15 },
  getReport: { rate: 2, burst: 15 },
  getReports: { rate: 0.0222, burst: 10 },
  getReportDocument: { rate: 0.0167, burst: 15 },
  getOrders: { rate: 0.0167, burst: 20 },
  getInventorySummaries: { rate: 2, burst: 2 },
  listTransactions: { rate: 0.5, burst: 10 },
  getMarketplaceParticipations: { rate: 0.016, burst: 15 },
};

export const ADS_API_RATES: Record<string, OperationRate> = {
  listProfiles: { rate: 1, burst: 5 },
  listEntities: { rate: 5, burst: 10 },
  createAdsReport: { rate: 5, burst: 10 },
  getAdsReport: { rate: 5, burst: 10 },
};

/** Pre-signed document downloads (S3): not an API operation, no Amazon quota. */
export const DOWNLOAD_RATE: OperationRate = { rate: 10, burst: 10 };

export function rateOf(operation: string): OperationRate {
  return SP_API_RATES[operation] ?? ADS_API_RATES[operation] ?? DOWNLOAD_RATE;
}
