// What the catalog part of the demo data hands to the other categories' demo seeds, so orders,
// ads and inventory refer to listings that exist.
export interface DemoListing {
  sellerAccountId: string;
  marketplaceId: string;
  sku: string;
  asin: string;
  price: string;
  currency: string;
}

export interface DemoCatalog {
  accounts: { sellerId: string; marketplaceIds: string[] }[];
  listings: DemoListing[];
  /** The demo's "today": all demo dates lie in the 90 days before it (deterministic). */
  today: Date;
}

export const DEMO_TODAY = new Date('2026-11-01T00:00:00Z');
