// What the planned executor (src/execution/planned-executor.ts) knows how to read: per root field,
// the service call that reads its rows (the same call, filters and row scope as its resolver), and
// per object type, the entity whose columns its scalar fields are and the nested lists (relations)
// its loaders read. A field not declared here makes an operation not plannable: it runs through
// graphql-js as before. The loader names and counts mirror the DataLoaders of the resolvers, so
// the rows counted for the audit record are the same.
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { AdGroup, Campaign, Keyword, ProductAd, ProductTarget } from '../../entities/advertising';
import { FeeEstimate, InventorySnapshot, Refund, ReplenishmentRecommendation, Settlement, SettlementLine } from '../../entities/inventory-finance';
import { Order, OrderItem, OrderReturn, Shipment } from '../../entities/orders';
import { campaignService } from '../../resolvers/advertising/campaign.service';
import { inventoryFinanceService } from '../../resolvers/inventory-finance/inventory-finance.service';
import { orderService } from '../../resolvers/orders/order.service';
import type { CampaignsArgs } from '../../schema/advertising/advertising-args.type';
import type { ConnectionShape } from '../../schema/common/connection.type';
import type { FeeEstimatesArgs, InventoryArgs, RefundsArgs, ReplenishmentArgs, SettlementsArgs } from '../../schema/inventory-finance/inventory-finance-args.type';
import type { OrdersArgs } from '../../schema/orders/order-args.type';
import type { RequestContext } from '../context';
import type { SqlConditions } from '../db/raw-rows';
import { Category } from '../policy/taxonomy';

/** More columns of a statement's rows: SQL expressions whose parameters are added to `where`. */
export type ExtraColumns = ((where: SqlConditions) => string) & {
  /** The entity properties the plan reads from each row (a page then selects only those and its keyset's). */
  only?: readonly string[];
};

export type Row = Record<string, unknown>;

/** A root field answering a page of rows (a connection: nodes, edges, pageInfo). */
export interface ConnectionRoot {
  kind: 'connection';
  /** GraphQL type of the nodes. */
  type: string;
  entity: EntityTarget<ObjectLiteral>;
  /** The alias the service reads the entity under (nested lists are correlated with it). */
  alias: string;
  /** Arguments the service reads (others make the operation not plannable). */
  args: readonly string[];
  page(ctx: RequestContext, args: Record<string, unknown>, columns: ExtraColumns): Promise<ConnectionShape<Row>>;
}

/** A root field answering one row or null. */
export interface LookupRoot {
  kind: 'lookup';
  type: string;
  entity: EntityTarget<ObjectLiteral>;
  alias: string;
  args: readonly string[];
  /** The row, or null; rows counted by the call itself unless `loader` says otherwise. */
  lookup(ctx: RequestContext, args: Record<string, unknown>, columns: ExtraColumns): Promise<Row | null>;
  /** Rows counted as the resolver's DataLoader counts them: once per distinct key. */
  loader?: { name: string; category: Category; key: string };
}

export type RootDeclaration = ConnectionRoot | LookupRoot;

/** A nested list read by a DataLoader in the resolvers, read here as a correlated json subquery. */
export interface RelationDeclaration {
  /** GraphQL type of the list's items. */
  type: string;
  entity: EntityTarget<ObjectLiteral>;
  /** The DataLoader's name (rows are counted once per distinct parent key, as it does). */
  loader: string;
  category: Category;
  /** Parent entity property the loader is keyed by, and the child property matching it. */
  parentKey: string;
  childKey: string;
  /** Order of the loader's statement (ascending). */
  orderBy: readonly string[];
  /** The row scope is the parent's (items are scoped through their order), not the child's own columns. */
  scopedThrough?: { entity: EntityTarget<ObjectLiteral>; property: string };
}

export interface TypeDeclaration {
  entity: EntityTarget<ObjectLiteral>;
  /** Fields answered by a nested list; every other field must be a column of the same name. */
  relations: Record<string, RelationDeclaration>;
}

const ORDER_RELATIONS: Record<string, RelationDeclaration> = {
  items: {
    type: 'OrderItem',
    entity: OrderItem,
    loader: 'orders.itemsByOrderId',
    category: Category.ORDERS,
    parentKey: 'id',
    childKey: 'orderId',
    orderBy: ['orderId', 'id'],
    scopedThrough: { entity: Order, property: 'id' },
  },
  shipments: { type: 'Shipment', entity: Shipment, loader: 'orders.shipmentsByOrderId', category: Category.ORDERS, parentKey: 'id', childKey: 'orderId', orderBy: ['shipDate', 'id'] },
  returns: {
    type: 'OrderReturn',
    entity: OrderReturn,
    loader: 'orders.returnsByAmazonOrderId',
    category: Category.ORDERS,
    parentKey: 'amazonOrderId',
    childKey: 'amazonOrderId',
    orderBy: ['returnDate', 'id'],
  },
};

const adGroupChild = (type: string, entity: EntityTarget<ObjectLiteral>, name: string): RelationDeclaration => ({
  type,
  entity,
  loader: `advertising.${name}ByAdGroup`,
  category: Category.ADVERTISING,
  parentKey: 'adGroupId',
  childKey: 'adGroupId',
  orderBy: ['id'],
});

export const TYPES: Record<string, TypeDeclaration> = {
  Order: { entity: Order, relations: ORDER_RELATIONS },
  OrderItem: { entity: OrderItem, relations: {} },
  Shipment: { entity: Shipment, relations: {} },
  OrderReturn: { entity: OrderReturn, relations: {} },
  Campaign: {
    entity: Campaign,
    relations: {
      adGroups: { type: 'AdGroup', entity: AdGroup, loader: 'advertising.adGroupsByCampaign', category: Category.ADVERTISING, parentKey: 'campaignId', childKey: 'campaignId', orderBy: ['name', 'id'] },
    },
  },
  AdGroup: {
    entity: AdGroup,
    relations: {
      keywords: adGroupChild('Keyword', Keyword, 'keywords'),
      productTargets: adGroupChild('ProductTarget', ProductTarget, 'productTargets'),
      productAds: adGroupChild('ProductAd', ProductAd, 'productAds'),
    },
  },
  Keyword: { entity: Keyword, relations: {} },
  ProductTarget: { entity: ProductTarget, relations: {} },
  ProductAd: { entity: ProductAd, relations: {} },
  Settlement: {
    entity: Settlement,
    relations: {
      lines: {
        type: 'SettlementLine',
        entity: SettlementLine,
        loader: 'inventory-finance.linesBySettlement',
        category: Category.INVENTORY_FINANCE,
        parentKey: 'id',
        childKey: 'settlementRowId',
        orderBy: ['settlementRowId', 'lineNumber'],
        scopedThrough: { entity: Settlement, property: 'id' },
      },
    },
  },
  SettlementLine: { entity: SettlementLine, relations: {} },
  Refund: { entity: Refund, relations: {} },
  InventorySnapshot: { entity: InventorySnapshot, relations: {} },
  ReplenishmentRecommendation: { entity: ReplenishmentRecommendation, relations: {} },
  FeeEstimate: { entity: FeeEstimate, relations: {} },
};

const ORDER_LIST_ARGS = ['first', 'after', 'account', 'marketplace', 'from', 'to', 'sku', 'asin', 'direction', 'status', 'fulfillmentChannel', 'sortBy'];
const SETTLEMENT_LIST_ARGS = ['first', 'after', 'account', 'marketplace', 'direction', 'from', 'to', 'sortBy'];
const REFUND_LIST_ARGS = ['first', 'after', 'account', 'marketplace', 'direction', 'from', 'to', 'sku', 'orderId', 'sortBy'];
const DAILY_LIST_ARGS = ['first', 'after', 'account', 'marketplace', 'direction', 'fromDate', 'toDate', 'sku', 'asin', 'sortBy'];
const CAMPAIGN_LIST_ARGS = ['first', 'after', 'account', 'marketplace', 'state', 'nameContains', 'targetingType', 'sortBy', 'direction'];

export const ROOTS: Record<string, RootDeclaration> = {
  orders: {
    kind: 'connection',
    type: 'Order',
    entity: Order,
    alias: 'o',
    args: ORDER_LIST_ARGS,
    page: (ctx, args, columns) => orderService.list(ctx, args as OrdersArgs, columns) as unknown as Promise<ConnectionShape<Row>>,
  },
  order: {
    kind: 'lookup',
    type: 'Order',
    entity: Order,
    alias: 'o',
    args: ['amazonOrderId'],
    lookup: (ctx, args, columns) => orderService.byAmazonOrderIdRow(ctx, args.amazonOrderId as string, columns) as unknown as Promise<Row | null>,
  },
  campaigns: {
    kind: 'connection',
    type: 'Campaign',
    entity: Campaign,
    alias: 'c',
    args: CAMPAIGN_LIST_ARGS,
    page: (ctx, args, columns) => campaignService.list(ctx, args as unknown as CampaignsArgs, columns) as unknown as Promise<ConnectionShape<Row>>,
  },
  campaign: {
    kind: 'lookup',
    type: 'Campaign',
    entity: Campaign,
    alias: 'c',
    args: ['campaignId'],
    lookup: async (ctx, args, columns) => ((await campaignService.campaignRowsByIds(ctx, [args.campaignId as string], columns))[0] as unknown as Row | undefined) ?? null,
    loader: { name: 'advertising.campaignById', category: Category.ADVERTISING, key: 'campaignId' },
  },
  settlements: {
    kind: 'connection',
    type: 'Settlement',
    entity: Settlement,
    alias: 'st',
    args: SETTLEMENT_LIST_ARGS,
    page: (ctx, args, columns) => inventoryFinanceService.settlements(ctx, args as SettlementsArgs, columns) as unknown as Promise<ConnectionShape<Row>>,
  },
  settlement: {
    kind: 'lookup',
    type: 'Settlement',
    entity: Settlement,
    alias: 'st',
    args: ['settlementId'],
    lookup: (ctx, args, columns) => inventoryFinanceService.settlementRow(ctx, args.settlementId as string, columns) as unknown as Promise<Row | null>,
  },
  refunds: {
    kind: 'connection',
    type: 'Refund',
    entity: Refund,
    alias: 'rf',
    args: REFUND_LIST_ARGS,
    page: (ctx, args, columns) => inventoryFinanceService.refunds(ctx, args as RefundsArgs, columns) as unknown as Promise<ConnectionShape<Row>>,
  },
  inventory: {
    kind: 'connection',
    type: 'InventorySnapshot',
    entity: InventorySnapshot,
    alias: 'inv',
    args: DAILY_LIST_ARGS,
    page: (ctx, args, columns) => inventoryFinanceService.inventory(ctx, args as InventoryArgs, columns) as unknown as Promise<ConnectionShape<Row>>,
  },
  replenishmentRecommendations: {
    kind: 'connection',
    type: 'ReplenishmentRecommendation',
    entity: ReplenishmentRecommendation,
    alias: 'rr',
    args: DAILY_LIST_ARGS,
    page: (ctx, args, columns) => inventoryFinanceService.replenishment(ctx, args as ReplenishmentArgs, columns) as unknown as Promise<ConnectionShape<Row>>,
  },
  feeEstimates: {
    kind: 'connection',
    type: 'FeeEstimate',
    entity: FeeEstimate,
    alias: 'fe',
    args: DAILY_LIST_ARGS,
    page: (ctx, args, columns) => inventoryFinanceService.feeEstimates(ctx, args as FeeEstimatesArgs, columns) as unknown as Promise<ConnectionShape<Row>>,
  },
};
