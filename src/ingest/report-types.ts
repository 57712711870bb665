// Every importable format, and recognizing one from a file's header or a document's shape.
import { normalizeHeader } from './headers';
import { ImportError } from './import-error';
import { consoleSearchTermCsv, sponsoredProductsDailyReport, sponsoredProductsEntities } from './importers/advertising.importer';
import { financesApi } from './importers/finances.importer';
import { fbaInventoryApi, feePreviewReport, manageFbaInventoryReport, restockReport } from './importers/inventory.importer';
import { allListingsReport, listingsItemsApi, openListingsReport } from './importers/listings.importer';
import { allOrdersByLastUpdate, allOrdersByOrderDate, orderItemsApiV0, ordersApi2026, ordersApiV0 } from './importers/orders.importer';
import { settlementV1Report, settlementV2Report } from './importers/settlement.importer';
import { fbaReturnsReport, fulfilledShipmentsReport, mfnReturnsReport } from './importers/shipments-returns.importer';
import { json, type FlatDefinition, type JsonDefinition, type ReportDefinition } from './report';

export const FLAT_DEFINITIONS: readonly FlatDefinition[] = [
  allListingsReport,
  openListingsReport,
  allOrdersByOrderDate,
  allOrdersByLastUpdate,
  fulfilledShipmentsReport,
  fbaReturnsReport,
  mfnReturnsReport,
  manageFbaInventoryReport,
  restockReport,
  feePreviewReport,
  settlementV1Report,
  settlementV2Report,
  consoleSearchTermCsv,
];

// Order matters: the first match wins (daily report rows carry keyword ids too).
export const JSON_DEFINITIONS: readonly JsonDefinition[] = [
  sponsoredProductsDailyReport,
  sponsoredProductsEntities,
  ordersApiV0,
  orderItemsApiV0,
  ordersApi2026,
  listingsItemsApi,
  fbaInventoryApi,
  financesApi,
];

export const ALL_DEFINITIONS: readonly ReportDefinition[] = [...FLAT_DEFINITIONS, ...JSON_DEFINITIONS];

/** `_GET_MERCHANT_LISTINGS_ALL_DATA_`, `get_merchant_listings_all_data` -> the definition. */
export function definitionByType(type: string): ReportDefinition {
  const wanted = type.trim().replace(/^_+|_+$/g, '').toUpperCase();
  const found = ALL_DEFINITIONS.find((d) => d.type === wanted);
  if (!found) {
    throw new ImportError('UNKNOWN_TYPE', `Unknown report type "${type}". Known types: ${ALL_DEFINITIONS.map((d) => d.type).join(', ')}`);
  }
  return found;
}

function signatureScore(definition: FlatDefinition, header: ReadonlySet<string>): number {
  let hits = 0;
  for (const key of definition.signature) {
    const names = [key, ...(definition.fields[key] ?? [])].map(normalizeHeader);
    if (names.some((name) => header.has(name))) hits++;
  }
  return hits / definition.signature.length;
}

export interface FlatDetection {
  definition: FlatDefinition;
  score: number;
  /** Other types with the same columns (e.g. All Orders by order date / by last update). */
  alternatives: string[];
}

/** The flat-file report whose signature columns the header carries best (at least 60%). */
export function detectFlat(header: readonly string[], candidates: readonly FlatDefinition[] = FLAT_DEFINITIONS): FlatDetection | null {
  const names = new Set(header.map(normalizeHeader));
  const scored = candidates.map((definition) => ({ definition, score: signatureScore(definition, names) })).sort((a, b) => b.score - a.score);
  const best = scored[0];
  if (!best || best.score < 0.6) return null;
  const alternatives = scored
    .slice(1)
    .filter((s) => s.score === best.score && JSON.stringify(s.definition.fields) === JSON.stringify(best.definition.fields))
    .map((s) => s.definition.type);
  return { ...best, alternatives };
}

export function detectJson(doc: unknown): JsonDefinition | null {
  return JSON_DEFINITIONS.find((definition) => definition.matches(doc)) ?? null;
}

/** API responses that hold nothing but buyer personal data: refused whole (minimization). */
export function isPersonalOnlyResponse(doc: unknown): boolean {
  const payload = json.object(json.object(doc).payload);
  const keys = Object.keys(payload);
  return keys.includes('AmazonOrderId') && keys.every((k) => ['AmazonOrderId', 'BuyerEmail', 'BuyerName', 'BuyerCounty', 'BuyerTaxInfo', 'PurchaseOrderNumber', 'ShippingAddress'].includes(k));
}
