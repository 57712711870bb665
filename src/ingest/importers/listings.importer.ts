// Listings: All Listings report (GET_MERCHANT_LISTINGS_ALL_DATA), the old Inventory / Open
// Listings report (GET_FLAT_FILE_OPEN_LISTINGS_DATA) and the Listings Items API 2021-08-01.
// Each writes `listing` (per account, marketplace and SKU) and, where it knows a title, the
// global `product` by ASIN.
import { Listing } from '../../../entities/catalog/listing.entity';
import { Product } from '../../../entities/catalog/product.entity';
import { DataSourceKind } from '../../../entities/common/provenance';
import type { KnownMarketplace } from '../marketplaces';
import { Cells, RowError, json, type Emit, type FlatDefinition, type JsonDefinition } from '../report';
import type { TableTarget } from '../table-writer';

// Shared by every account: seen through the listings of its ASIN.
const PRODUCT: TableTarget = { entity: Product, key: ['asin'], noun: 'product', sharedVia: { entity: Listing, property: 'asin', key: 'asin' } };
// Fields a report does not carry are set on insert only, so a later, richer report is not undone.
const LISTING: TableTarget = { entity: Listing, key: ['sellerAccountId', 'marketplaceId', 'sellerSku'], noun: 'listing' };

/** `AMAZON_NA`, `AMAZON_EU`, `AMAZON_FE`: the FBA channel name of a marketplace's region. */
export function fbaChannel(marketplace: KnownMarketplace): string {
  if (['US', 'CA', 'MX', 'BR'].includes(marketplace.countryCode)) return 'AMAZON_NA';
  if (['JP', 'AU', 'SG'].includes(marketplace.countryCode)) return 'AMAZON_FE';
  if (marketplace.countryCode === 'IN') return 'AMAZON_IN';
  return 'AMAZON_EU';
}

function status(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.toLowerCase();
  if (v === 'active' || v === 'aktiv' || v === '出品中') return 'Active';
  if (v === 'inactive' || v === 'inaktiv' || v === '停止中') return 'Inactive';
  if (v === 'incomplete' || v === 'unvollständig') return 'Incomplete';
  throw new RowError('status: unknown listing status');
}

export const allListingsReport: FlatDefinition = {
  kind: 'flat',
  type: 'GET_MERCHANT_LISTINGS_ALL_DATA',
  label: 'All Listings report',
  source: DataSourceKind.SELLER_CENTRAL_REPORT,
  targets: [PRODUCT, LISTING],
  fields: {
    'item-name': ['商品名', 'Artikelbezeichnung', 'Titel'],
    'item-description': ['商品の説明', 'Artikelbeschreibung'],
    'listing-id': ['出品ID', 'Angebotsnummer'],
    'seller-sku': ['出品者SKU', 'Händler-SKU', 'sku'],
    price: ['価格', 'Preis'],
    quantity: ['数量', 'Menge'],
    'open-date': ['出品日', 'Erstelldatum'],
    'item-condition': ['コンディション', 'Artikelzustand'],
    asin1: ['ASIN1', 'ASIN 1'],
    'fulfillment-channel': ['フルフィルメント・チャネル', 'フルフィルメント・チャンネル', 'Versender'],
    status: ['ステータス', 'Status'],
  },
  required: ['seller-sku', 'price'],
  signature: ['item-name', 'listing-id', 'seller-sku', 'open-date', 'asin1', 'fulfillment-channel', 'item-is-marketplace', 'product-id-type'],
  map(row, ctx) {
    const mp = ctx.marketplaceFor();
    const c = new Cells(row, { dateOrder: mp.dateOrder, decimalComma: false });
    const asin = c.id('asin1') ?? null;
    const itemName = c.text('item-name');
    const quantity = c.integer('quantity');
    const emits: Emit[] = [];
    if (asin && itemName) emits.push({ target: 0, values: { asin, title: itemName } });
    emits.push({
      target: 1,
      values: {
        sellerAccountId: ctx.sellerAccountId,
        marketplaceId: mp.marketplaceId,
        sellerSku: c.need('seller-sku', c.id('seller-sku')),
        asin,
        listingId: c.id('listing-id'),
        itemName,
        price: c.need('price', c.decimal('price')),
        currency: mp.currencyCode,
        quantity,
        status: status(c.text('status')) ?? 'Active',
        fulfillmentChannel: c.text('fulfillment-channel') ?? (quantity === null ? fbaChannel(mp) : 'DEFAULT'),
        itemCondition: c.text('item-condition'),
        openDate: c.need('open-date', c.timestamp('open-date')),
      },
    });
    return emits;
  },
};

export const openListingsReport: FlatDefinition = {
  kind: 'flat',
  type: 'GET_FLAT_FILE_OPEN_LISTINGS_DATA',
  label: 'Inventory (Open Listings) report',
  source: DataSourceKind.SELLER_CENTRAL_REPORT,
  targets: [LISTING_WITH_DEFAULTS()],
  fields: { sku: ['出品者SKU', 'Händler-SKU', 'seller-sku'], asin: ['ASIN'], price: ['価格', 'Preis'], quantity: ['数量', 'Menge'] },
  required: ['sku', 'asin', 'price'],
  signature: ['sku', 'asin', 'price', 'quantity'],
  map(row, ctx) {
    const mp = ctx.marketplaceFor();
    const c = new Cells(row);
    const quantity = c.integer('quantity');
    return [
      {
        target: 0,
        values: {
          sellerAccountId: ctx.sellerAccountId,
          marketplaceId: mp.marketplaceId,
          sellerSku: c.need('sku', c.id('sku')),
          asin: c.id('asin'),
          price: c.need('price', c.decimal('price')),
          currency: mp.currencyCode,
          quantity,
          // The report lists open (active) listings; an empty quantity means Amazon fulfils it.
          status: 'Active',
          fulfillmentChannel: quantity === null ? fbaChannel(mp) : 'DEFAULT',
          openDate: `${ctx.asOfDate}T00:00:00.000Z`,
        },
      },
    ];
  },
};

function LISTING_WITH_DEFAULTS(): TableTarget {
  return { ...LISTING, insertOnly: ['status', 'fulfillmentChannel', 'openDate'] };
}

// --- Listings Items API 2021-08-01 (getListingsItem / searchListingsItems) -------------------

function listingItems(doc: unknown): Record<string, unknown>[] {
  const o = json.object(doc);
  if (Array.isArray(o.items)) return o.items.map(json.object);
  if (typeof o.sku === 'string' && Array.isArray(o.summaries)) return [o];
  return [];
}

function firstValue(attributes: Record<string, unknown>, name: string): string | null {
  const first = json.object(json.array(attributes[name])[0]);
  return json.text(first.value);
}

export const listingsItemsApi: JsonDefinition = {
  kind: 'json',
  type: 'SPAPI_LISTINGS_ITEMS_2021_08_01',
  label: 'Listings Items API (2021-08-01) response',
  source: DataSourceKind.SP_API,
  targets: [PRODUCT, LISTING],
  matches: (doc) => listingItems(doc).length > 0,
  // One record per item and marketplace summary: a listing is per marketplace.
  records: (doc) =>
    listingItems(doc).flatMap((item, i) =>
      json.array(item.summaries).map((summary) => ({ line: i + 1, record: { ...item, summary } })),
    ),
  map(record, ctx) {
    const summary = json.object(record.summary);
    const mp = ctx.marketplaceFor(json.text(summary.marketplaceId));
    const offer = json
      .array(record.offers)
      .map(json.object)
      .find((o) => o.marketplaceId === mp.marketplaceId && (o.offerType ?? 'B2C') === 'B2C');
    const price = json.object(offer?.price);
    const availability = json.array(record.fulfillmentAvailability).map(json.object);
    const merchant = availability.find((a) => a.fulfillmentChannelCode === 'DEFAULT');
    const afn = availability.find((a) => a.fulfillmentChannelCode !== 'DEFAULT');
    const statuses = json.array(summary.status);
    const asin = json.id('summaries.asin', summary.asin);
    const title = json.text(summary.itemName);
    const attributes = json.object(record.attributes);
    const emits: Emit[] = [];
    if (asin && title) {
      emits.push({
        target: 0,
        values: {
          asin,
          title,
          imageUrl: json.text(json.object(summary.mainImage).link),
          category: json.text(summary.productType),
          brand: firstValue(attributes, 'brand'),
          ...(Object.keys(attributes).length ? { attributes } : {}),
        },
      });
    }
    if (!offer) throw new RowError(`offers: no price for marketplace ${mp.marketplaceId}`);
    emits.push({
      target: 1,
      values: {
        sellerAccountId: ctx.sellerAccountId,
        marketplaceId: mp.marketplaceId,
        sellerSku: json.need('sku', json.id('sku', record.sku)),
        asin,
        itemName: title,
        price: json.need('offers.price.amount', json.decimal('offers.price.amount', price.amount)),
        currency: json.text(price.currencyCode) ?? mp.currencyCode,
        quantity: merchant ? json.integer('fulfillmentAvailability.quantity', merchant.quantity) : null,
        status: statuses.includes('BUYABLE') ? 'Active' : 'Inactive',
        fulfillmentChannel: merchant ? 'DEFAULT' : afn ? json.text(afn.fulfillmentChannelCode) ?? fbaChannel(mp) : 'DEFAULT',
        itemCondition: json.text(summary.conditionType),
        openDate: json.timestamp('summaries.createdDate', summary.createdDate) ?? `${ctx.asOfDate}T00:00:00.000Z`,
      },
    });
    return emits;
  },
};
