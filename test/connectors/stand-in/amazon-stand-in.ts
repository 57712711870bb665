// A local stand-in for Amazon: Login with Amazon (token endpoint), the Selling Partner API (routed
// by the paths of Amazon's own models, answering from their sandbox examples and the report
// samples) and the Amazon Ads API (profiles, Sponsored Products entities v3, reporting v3).
// Faults on demand: throttling, FATAL / CANCELLED reports, expired document URLs, truncated gzip,
// refused refresh tokens, dropped connections, Ads 425 duplicate reports. Every request is counted
// (time, operation, status) so tests can check rates and what was asked.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { loadModels, sampleJson, sampleText, SAMPLES, type ModelOperation } from './models';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Report documents the stand-in serves, by report type (the samples of ../shared/samples/amazon). */
export const REPORT_DOCUMENTS: Record<string, string> = {
  GET_MERCHANT_LISTINGS_ALL_DATA: 'GET_MERCHANT_LISTINGS_ALL_DATA/tzotopia_us_all_listings_row_2013_scrubbed.tsv',
  GET_FLAT_FILE_OPEN_LISTINGS_DATA: 'GET_FLAT_FILE_OPEN_LISTINGS_DATA/mws-rs_report.tdff.tsv',
  GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL: 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL/airbyte_expected_records.GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL.records.jsonl',
  GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL: 'GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL/airbyte_GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL.tsv',
  GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA: 'GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA/aplotlib_fba_return_row_2025.tsv',
  GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE: 'GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE/privosa_mfn_return_row_2025.tsv',
  GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA: 'GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA/airbyte_GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA.tsv',
  GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT: 'GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT/airbyte_expected_records.GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT.records.jsonl',
  GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA: 'GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA/airbyte_GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA.tsv',
  GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE: 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE/mws-rs_settlement_2015_USD.tsv',
};

export interface StandInRequest {
  time: number;
  host: 'lwa' | 'sp' | 'ads' | 'documents';
  method: string;
  path: string;
  /** The query string (tests check paging tokens). */
  query: string;
  operation: string;
  status: number;
  /** The selling partner the access token was issued for. */
  partner: string | null;
  headers: Record<string, string | string[] | undefined>;
}

export interface Throttle {
  operation: string;
  /** How many of its calls answer 429 (default: every one). */
  times?: number;
  /** Sent in x-amzn-RateLimit-Limit (requests per second). */
  limit?: number;
  /** Sent in Retry-After (seconds). */
  retryAfter?: number;
}

export interface Faults {
  throttle?: Throttle[];
  /** Report types whose reports end FATAL / CANCELLED. */
  fatalReports?: string[];
  cancelledReports?: string[];
  /** Report types whose document URL has expired (403 from the bucket). */
  expiredDocuments?: string[];
  /** Report types whose gzip document is cut short. */
  truncatedDocuments?: string[];
  /** Refresh tokens LWA refuses (invalid_grant). */
  refusedRefreshTokens?: string[];
  /** Operations whose next N calls have their connection dropped without an answer. */
  dropConnection?: { operation: string; times: number }[];
  /** Operations answering 503 for their next N calls. */
  unavailable?: { operation: string; times: number }[];
}

export interface StandInSeller {
  sellerId: string;
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  marketplaces: string[];
  adsProfileId: string;
}

interface Report {
  reportId: string;
  reportType: string;
  marketplaceIds: string[];
  dataStartTime?: string;
  dataEndTime?: string;
  createdTime: string;
  polls: number;
  documentId: string | null;
  partner: string;
}

interface AdsReport {
  reportId: string;
  key: string;
  reportTypeId: string;
  groupBy: string[];
  startDate: string;
  endDate: string;
  polls: number;
  profileId: string;
}

const ADS_ENTITY_STREAMS: Record<string, { stream: string; envelope: string }> = {
  '/sp/campaigns/list': { stream: 'sponsored_product_campaigns', envelope: 'campaigns' },
  '/sp/adGroups/list': { stream: 'sponsored_product_ad_groups', envelope: 'adGroups' },
  '/sp/keywords/list': { stream: 'sponsored_product_keywords', envelope: 'keywords' },
  '/sp/targets/list': { stream: 'sponsored_product_targetings', envelope: 'targetingClauses' },
  '/sp/productAds/list': { stream: 'sponsored_product_ads', envelope: 'productAds' },
};

function adsEntities(): Record<string, Record<string, unknown>[]> {
  const out: Record<string, Record<string, unknown>[]> = {};
  const text = readFileSync(join(SAMPLES, 'ADS_SponsoredProducts_v3_entities/airbyte_expected_records_sp_v3_entities.jsonl'), 'utf8');
  for (const line of text.split('\n').filter(Boolean)) {
    const { stream, data } = JSON.parse(line) as { stream: string; data: Record<string, unknown> };
    (out[stream] ??= []).push(data);
  }
  return out;
}

/** Orders of the Orders v0 sandbox examples (distinct by order id), oldest update first. */
function sandboxOrders(operations: ModelOperation[]): Record<string, unknown>[] {
  const op = operations.find((o) => o.operationId === 'getOrders');
  const byId = new Map<string, Record<string, unknown>>();
  for (const response of op?.sandbox ?? []) {
    for (const order of ((response as { payload?: { Orders?: Record<string, unknown>[] } }).payload?.Orders ?? [])) byId.set(String(order.AmazonOrderId), order);
  }
  return [...byId.values()].sort((a, b) => String(a.LastUpdateDate).localeCompare(String(b.LastUpdateDate)));
}

export class AmazonStandIn {
  readonly requests: StandInRequest[] = [];
  /** Every data document served (uncompressed): report documents, API pages, Ads reports. */
  readonly served: { operation: string; body: Buffer }[] = [];
  readonly operations = loadModels();
  faults: Faults = {};
  /** getReport answers IN_PROGRESS this many times before DONE. */
  pollsBeforeDone = 1;
  /** While this answers true, getReport answers IN_PROGRESS whatever its count (a report that takes as long as a test needs). */
  holdReports: (() => boolean) | null = null;
  /** Orders per getOrders page. */
  ordersPageSize = 1;
  private server: Server | null = null;
  private readonly tokens = new Map<string, { partner: string; expires: number }>();
  private readonly reports = new Map<string, Report>();
  private readonly documents = new Map<string, { reportType: string; expiresAt: number }>();
  private readonly adsReports = new Map<string, AdsReport>();
  private readonly orders: Record<string, unknown>[];
  private readonly entities = adsEntities();
  private settlementReports: Report[] = [];
  private counters = new Map<string, number>();
  baseUrl = '';
  tokenLifetimeSeconds = 3600;

  constructor(readonly sellers: StandInSeller[]) {
    this.orders = sandboxOrders(this.operations);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((error: unknown) => this.send(res, 500, { errors: [{ code: 'InternalFailure', message: String(error) }] })));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    // A settlement report Amazon made on its own schedule (listed with getReports, never created).
    for (const seller of this.sellers) {
      this.settlementReports.push(this.newReport(seller.sellerId, 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE', seller.marketplaces, '2015-02-02T00:00:00Z', 0));
    }
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Requests per operation (optionally only successful ones). */
  count(operation: string, status?: number): number {
    return this.requests.filter((r) => r.operation === operation && (status === undefined || r.status === status)).length;
  }

  /** The most requests of `operation` that arrived within any `windowMs` (default one second). */
  peakPerWindow(operation: string, windowMs = 1000, from = 0): number {
    const times = this.requests.filter((r) => r.operation === operation && r.time >= from).map((r) => r.time).sort((a, b) => a - b);
    let peak = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= windowMs) j++;
      peak = Math.max(peak, i - j + 1);
    }
    return peak;
  }

  private newReport(partner: string, reportType: string, marketplaceIds: string[], createdTime: string, polls: number): Report {
    const report: Report = { reportId: `${Math.floor(Math.random() * 1e11)}`, reportType, marketplaceIds, createdTime, polls, documentId: null, partner };
    this.reports.set(report.reportId, report);
    return report;
  }

  private serve(res: ServerResponse, operation: string, plain: Buffer, body: unknown, headers: Record<string, string> = {}): void {
    this.served.push({ operation, body: plain });
    this.send(res, 200, body, headers);
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'content-type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json', 'content-length': String(data.length), ...headers });
    res.end(data);
  }

  private async body(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private takeFault(list: { operation: string; times: number }[] | undefined, operation: string): boolean {
    const fault = list?.find((f) => f.operation === operation && f.times > 0);
    if (!fault) return false;
    fault.times -= 1;
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const record: StandInRequest = { time: Date.now(), host: 'sp', method: req.method ?? 'GET', path: url.pathname, query: url.search, operation: 'unknown', status: 0, partner: null, headers: req.headers };
    this.requests.push(record);
    res.on('finish', () => (record.status = res.statusCode));
    res.on('close', () => (record.status ||= -1));

    if (url.pathname === '/auth/o2/token') {
      record.host = 'lwa';
      record.operation = 'lwaToken';
      return this.lwa(req, res);
    }
    if (url.pathname.startsWith('/documents-bucket/')) {
      record.host = 'documents';
      record.operation = 'downloadDocument';
      return this.document(url, res);
    }
    if (url.pathname.startsWith('/ads-bucket/')) {
      record.host = 'documents';
      record.operation = 'downloadAdsReport';
      const report = this.adsReports.get(url.pathname.slice('/ads-bucket/ads-'.length));
      if (!report) return this.send(res, 404, Buffer.from('<Error><Code>NoSuchKey</Code></Error>'));
      const plain = Buffer.from(JSON.stringify(this.adsReportRows(report.reportTypeId, report.groupBy, report.startDate, report.endDate)));
      let gz = gzipSync(plain);
      if (this.faults.truncatedDocuments?.includes(report.reportTypeId)) gz = gz.subarray(0, Math.floor(gz.length / 2));
      else return this.serve(res, `ads:${report.reportTypeId}`, plain, gz);
      return this.send(res, 200, gz);
    }
    if (url.pathname.startsWith('/ads/')) {
      record.host = 'ads';
      return this.ads(req, res, url, record);
    }
    const op = this.operations.find((o) => o.method === req.method && o.pattern.test(url.pathname));
    if (!op) return this.send(res, 404, { errors: [{ code: 'NotFound', message: 'Resource not found' }] });
    record.operation = op.operationId;
    const token = this.tokens.get(String(req.headers['x-amz-access-token'] ?? ''));
    if (!token || token.expires < Date.now()) return this.send(res, 403, { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] });
    record.partner = token.partner;
    if (this.takeFault(this.faults.dropConnection, op.operationId)) {
      req.socket.destroy();
      return;
    }
    if (this.takeFault(this.faults.unavailable, op.operationId)) return this.send(res, 503, { errors: [{ code: 'ServiceUnavailable', message: 'Service temporarily unavailable' }] });
    const rateHeader = { 'x-amzn-RateLimit-Limit': String(op.rate ?? 1) };
    const throttle = this.faults.throttle?.find((t) => t.operation === op.operationId && (t.times === undefined || t.times > 0));
    if (throttle) {
      if (throttle.times !== undefined) throttle.times -= 1;
      return this.send(res, 429, { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.' }] }, {
        'x-amzn-RateLimit-Limit': String(throttle.limit ?? op.rate ?? 1),
        ...(throttle.retryAfter !== undefined ? { 'Retry-After': String(throttle.retryAfter) } : {}),
      });
    }
    const limitFor = this.faults.throttle?.find((t) => t.operation === op.operationId)?.limit;
    const headers = { ...rateHeader, ...(limitFor !== undefined ? { 'x-amzn-RateLimit-Limit': String(limitFor) } : {}) };
    const params = Object.fromEntries(op.params.map((name, i) => [name, decodeURIComponent(op.pattern.exec(url.pathname)![i + 1])]));
    const body = req.method === 'POST' ? await this.body(req) : '';
    const seller = this.sellers.find((s) => s.sellerId === token.partner)!;
    switch (op.operationId) {
      case 'createReport': {
        const input = JSON.parse(body) as { reportType: string; marketplaceIds: string[]; dataStartTime?: string; dataEndTime?: string };
        if (!REPORT_DOCUMENTS[input.reportType] || input.reportType === 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE') {
          return this.send(res, 400, { errors: [{ code: 'InvalidInput', message: `Report type ${input.reportType} cannot be requested` }] }, headers);
        }
        const report = this.newReport(token.partner, input.reportType, input.marketplaceIds, new Date().toISOString(), this.pollsBeforeDone);
        report.dataStartTime = input.dataStartTime;
        report.dataEndTime = input.dataEndTime;
        return this.send(res, 202, { reportId: report.reportId }, headers);
      }
      case 'getReport': {
        const report = this.reports.get(params.reportId);
        if (!report || report.partner !== token.partner) return this.send(res, 404, { errors: [{ code: 'NotFound', message: 'Report not found' }] }, headers);
        let processingStatus = 'DONE';
        if (report.polls > 0 || this.holdReports?.()) {
          report.polls = Math.max(0, report.polls - 1);
          processingStatus = 'IN_PROGRESS';
        } else if (this.faults.cancelledReports?.includes(report.reportType)) processingStatus = 'CANCELLED';
        else if (this.faults.fatalReports?.includes(report.reportType)) processingStatus = 'FATAL';
        if ((processingStatus === 'DONE' || processingStatus === 'FATAL') && !report.documentId) {
          report.documentId = `amzn1.spdoc.1.4.na.${randomUUID()}`;
          this.documents.set(report.documentId, { reportType: processingStatus === 'FATAL' ? 'FATAL' : report.reportType, expiresAt: 0 });
        }
        const example = op.sandbox[0] as Record<string, unknown>;
        return this.send(res, 200, {
          ...example,
          reportId: report.reportId,
          reportType: report.reportType,
          marketplaceIds: report.marketplaceIds,
          dataStartTime: report.dataStartTime,
          dataEndTime: report.dataEndTime,
          createdTime: report.createdTime,
          processingStatus,
          ...(processingStatus === 'DONE' || processingStatus === 'FATAL' ? { reportDocumentId: report.documentId } : {}),
        }, headers);
      }
      case 'getReports': {
        const types = (url.searchParams.get('reportTypes') ?? '').split(',');
        const since = url.searchParams.get('createdSince');
        const list = this.settlementReports.filter((r) => r.partner === token.partner && types.includes(r.reportType) && (!since || r.createdTime > since));
        for (const r of list) {
          if (!r.documentId) {
            r.documentId = `amzn1.spdoc.1.4.na.${randomUUID()}`;
            this.documents.set(r.documentId, { reportType: r.reportType, expiresAt: 0 });
          }
        }
        return this.send(res, 200, { reports: list.map((r) => ({ reportId: r.reportId, reportType: r.reportType, createdTime: r.createdTime, processingStatus: 'DONE', reportDocumentId: r.documentId, marketplaceIds: r.marketplaceIds })) }, headers);
      }
      case 'getReportDocument': {
        const doc = this.documents.get(params.reportDocumentId);
        if (!doc) return this.send(res, 404, { errors: [{ code: 'NotFound', message: 'Document not found' }] }, headers);
        // Pre-signed URLs live five minutes; an "expired" one is already past its time.
        doc.expiresAt = this.faults.expiredDocuments?.includes(doc.reportType) ? Date.now() - 1 : Date.now() + 300_000;
        return this.send(res, 200, { reportDocumentId: params.reportDocumentId, url: `${this.baseUrl}/documents-bucket/${encodeURIComponent(params.reportDocumentId)}?X-Amz-Expires=300`, compressionAlgorithm: 'GZIP' }, headers);
      }
      case 'getOrders': {
        if (url.searchParams.has('RestrictedResources') || req.headers['x-amz-access-token']?.toString().startsWith('Atz.sprdt')) record.operation = 'getOrders(restricted)';
        const next = url.searchParams.get('NextToken');
        const after = next ? Buffer.from(next, 'base64url').toString('utf8').split('|')[0] : url.searchParams.get('LastUpdatedAfter');
        const offset = next ? Number(Buffer.from(next, 'base64url').toString('utf8').split('|')[1]) : 0;
        if (!after) return this.send(res, 400, { errors: [{ code: 'InvalidInput', message: 'CreatedAfter or LastUpdatedAfter is required' }] }, headers);
        const matching = this.orders.filter((o) => String(o.LastUpdateDate) >= after);
        const page = matching.slice(offset, offset + this.ordersPageSize);
        const more = offset + this.ordersPageSize < matching.length;
        const answer = {
          payload: { Orders: page, LastUpdatedBefore: new Date().toISOString(), ...(more ? { NextToken: Buffer.from(`${after}|${offset + this.ordersPageSize}`).toString('base64url') } : {}) },
        };
        return page.length ? this.serve(res, op.operationId, Buffer.from(JSON.stringify(answer)), answer, headers) : this.send(res, 200, answer, headers);
      }
      case 'getInventorySummaries':
      case 'listTransactions': {
        // The FBA Inventory model lost its sandbox block in later versions: the sample keeps it.
        const fallback = op.operationId === 'getInventorySummaries' ? sampleJson('SPAPI_FbaInventory_v1/getInventorySummaries.200.sandbox_static_0.json') : undefined;
        const example = structuredClone(op.sandbox[0] ?? fallback) as { pagination?: unknown; payload?: { nextToken?: unknown } };
        delete example.pagination;
        if (example.payload) delete example.payload.nextToken;
        return this.serve(res, op.operationId, Buffer.from(JSON.stringify(example)), example, headers);
      }
      case 'getMarketplaceParticipations': {
        const example = op.sandbox[0] as { payload: { marketplace: Record<string, unknown>; participation: unknown; storeName: string }[] };
        return this.send(res, 200, { payload: seller.marketplaces.map((id) => ({ ...example.payload[0], marketplace: { ...example.payload[0].marketplace, id } })) }, headers);
      }
      default:
        if (op.sandbox.length) return this.send(res, 200, op.sandbox[0], headers);
        return this.send(res, 501, { errors: [{ code: 'NotImplemented', message: `${op.operationId} is not served by the stand-in` }] });
    }
  }

  private async lwa(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await this.body(req));
    const seller = this.sellers.find((s) => s.refreshToken === form.get('refresh_token'));
    if (form.get('grant_type') !== 'refresh_token') return this.send(res, 400, { error: 'unsupported_grant_type', error_description: 'grant_type must be refresh_token' });
    if (!seller || seller.clientId !== form.get('client_id') || seller.clientSecret !== form.get('client_secret')) {
      return this.send(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    if (this.faults.refusedRefreshTokens?.includes(seller.refreshToken)) {
      return this.send(res, 400, { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : refresh_token' });
    }
    const accessToken = `Atza|${randomUUID()}`;
    this.tokens.set(accessToken, { partner: seller.sellerId, expires: Date.now() + this.tokenLifetimeSeconds * 1000 });
    return this.send(res, 200, { access_token: accessToken, token_type: 'bearer', expires_in: this.tokenLifetimeSeconds, refresh_token: seller.refreshToken });
  }

  private document(url: URL, res: ServerResponse): void {
    const id = decodeURIComponent(url.pathname.slice('/documents-bucket/'.length));
    const doc = this.documents.get(id);
    if (!doc) return this.send(res, 404, Buffer.from('<Error><Code>NoSuchKey</Code></Error>'));
    if (doc.expiresAt < Date.now()) return this.send(res, 403, Buffer.from('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'));
    const plain = doc.reportType === 'FATAL' ? Buffer.from(JSON.stringify({ errorDetails: 'The report could not be generated' })) : sampleText(REPORT_DOCUMENTS[doc.reportType]);
    let gz = gzipSync(plain);
    if (this.faults.truncatedDocuments?.includes(doc.reportType)) gz = gz.subarray(0, Math.floor(gz.length / 2));
    else if (doc.reportType !== 'FATAL') return this.serve(res, doc.reportType, plain, gz);
    this.send(res, 200, gz);
  }

  // --- Amazon Ads API ---------------------------------------------------------------------------

  private async ads(req: IncomingMessage, res: ServerResponse, url: URL, record: StandInRequest): Promise<void> {
    const path = url.pathname.slice('/ads'.length);
    const auth = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    const token = this.tokens.get(auth);
    record.operation = `ads ${req.method} ${path.replace(/\/reporting\/reports\/[^/]+$/, '/reporting/reports/{id}')}`;
    if (!token || token.expires < Date.now()) return this.send(res, 401, { code: 'UNAUTHORIZED', details: 'Not authorized' });
    record.partner = token.partner;
    const seller = this.sellers.find((s) => s.sellerId === token.partner)!;
    if (req.headers['amazon-advertising-api-clientid'] !== seller.clientId) return this.send(res, 403, { code: 'UNAUTHORIZED', details: 'Missing or wrong Amazon-Advertising-API-ClientId' });
    if (this.takeFault(this.faults.dropConnection, record.operation)) {
      req.socket.destroy();
      return;
    }
    const throttle = this.faults.throttle?.find((t) => t.operation === record.operation && (t.times === undefined || t.times > 0));
    if (throttle) {
      if (throttle.times !== undefined) throttle.times -= 1;
      return this.send(res, 429, { code: 'TOO_MANY_REQUESTS', details: 'Too many requests' }, { 'Retry-After': String(throttle.retryAfter ?? 1) });
    }
    if (path === '/v2/profiles') {
      const [profile] = this.entities.profiles ?? [];
      return this.send(res, 200, seller.marketplaces.map((marketplaceStringId) => ({ ...profile, profileId: Number(seller.adsProfileId), accountInfo: { ...(profile.accountInfo as object), marketplaceStringId, id: seller.sellerId, type: 'seller' } })));
    }
    if (req.headers['amazon-advertising-api-scope'] !== seller.adsProfileId) return this.send(res, 400, { code: 'INVALID_ARGUMENT', details: 'Amazon-Advertising-API-Scope must name a profile of this advertiser' });
    const body = req.method === 'POST' ? await this.body(req) : '';
    const entity = ADS_ENTITY_STREAMS[path];
    if (entity && req.method === 'POST') {
      if (!String(req.headers['content-type']).startsWith('application/vnd.sp')) return this.send(res, 415, { code: 'UNSUPPORTED_MEDIA_TYPE', details: 'Content-Type must be the v3 media type' });
      const { maxResults = 100, nextToken } = JSON.parse(body || '{}') as { maxResults?: number; nextToken?: string };
      const all = this.entities[entity.stream] ?? [];
      const offset = nextToken ? Number(nextToken) : 0;
      const page = all.slice(offset, offset + maxResults);
      const answer = { [entity.envelope]: page, totalResults: all.length, ...(offset + maxResults < all.length ? { nextToken: String(offset + maxResults) } : {}) };
      return page.length ? this.serve(res, path, Buffer.from(JSON.stringify(answer)), answer) : this.send(res, 200, answer);
    }
    if (path === '/reporting/reports' && req.method === 'POST') {
      if (req.headers['content-type'] !== 'application/vnd.createasyncreportrequest.v3+json') return this.send(res, 415, { code: 'UNSUPPORTED_MEDIA_TYPE', details: 'Content-Type must be application/vnd.createasyncreportrequest.v3+json' });
      const input = JSON.parse(body) as { startDate: string; endDate: string; configuration: { reportTypeId: string; groupBy?: string[]; timeUnit: string; format: string } };
      const key = `${seller.adsProfileId}|${input.configuration.reportTypeId}|${(input.configuration.groupBy ?? []).join(',')}|${input.startDate}|${input.endDate}|${input.configuration.timeUnit}`;
      const existing = [...this.adsReports.values()].find((r) => r.key === key);
      if (existing) return this.send(res, 425, { code: '425', detail: `The Request is a duplicate of : ${existing.reportId}` });
      const report: AdsReport = { reportId: randomUUID(), key, reportTypeId: input.configuration.reportTypeId, groupBy: input.configuration.groupBy ?? [], startDate: input.startDate, endDate: input.endDate, polls: this.pollsBeforeDone, profileId: seller.adsProfileId };
      this.adsReports.set(report.reportId, report);
      return this.send(res, 200, { reportId: report.reportId, status: 'PENDING' });
    }
    const reportMatch = /^\/reporting\/reports\/([^/]+)$/.exec(path);
    if (reportMatch && req.method === 'GET') {
      const report = this.adsReports.get(reportMatch[1]);
      if (!report) return this.send(res, 404, { code: 'NOT_FOUND', detail: 'Report not found' });
      if (report.polls > 0) {
        report.polls -= 1;
        return this.send(res, 200, { reportId: report.reportId, status: 'PROCESSING' });
      }
      if (this.faults.fatalReports?.includes(report.reportTypeId)) return this.send(res, 200, { reportId: report.reportId, status: 'FAILED', failureReason: 'Internal error' });
      const docId = `ads-${report.reportId}`;
      this.documents.set(docId, { reportType: `ADS:${report.reportId}`, expiresAt: Date.now() + 3_600_000 });
      return this.send(res, 200, { reportId: report.reportId, status: 'COMPLETED', url: `${this.baseUrl}/ads-bucket/${docId}`, urlExpiresAt: new Date(Date.now() + 3_600_000).toISOString(), fileSize: 1 });
    }
    return this.send(res, 404, { code: 'NOT_FOUND', detail: `No route ${req.method} ${path}` });
  }

  /** Daily rows of an Ads v3 report, made from the sample entities (ids as Amazon gives them). */
  adsReportRows(reportTypeId: string, groupBy: string[], startDate: string, endDate: string): Record<string, unknown>[] {
    const days: string[] = [];
    for (let d = new Date(`${startDate}T00:00:00Z`); d <= new Date(`${endDate}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) days.push(d.toISOString().slice(0, 10));
    const metrics = (i: number, day: number) => ({ impressions: 100 + 10 * i + day, clicks: 3 + i, cost: Number((1.25 * (i + 1)).toFixed(2)), sales7d: Number((12.5 * (i + 1)).toFixed(2)), purchases7d: i + 1, unitsSoldClicks7d: i + 1 });
    const rows: Record<string, unknown>[] = [];
    days.forEach((date, day) => {
      if (reportTypeId === 'spCampaigns' && groupBy.includes('adGroup')) (this.entities.sponsored_product_ad_groups ?? []).forEach((g, i) => rows.push({ date, campaignId: g.campaignId, adGroupId: g.adGroupId, ...metrics(i, day) }));
      else if (reportTypeId === 'spCampaigns') (this.entities.sponsored_product_campaigns ?? []).forEach((c, i) => rows.push({ date, campaignId: c.campaignId, ...metrics(i, day) }));
      if (reportTypeId === 'spAdvertisedProduct') (this.entities.sponsored_product_ads ?? []).forEach((a, i) => rows.push({ date, campaignId: a.campaignId, adGroupId: a.adGroupId, adId: a.adId, advertisedSku: a.sku, advertisedAsin: a.asin, ...metrics(i, day) }));
      if (reportTypeId === 'spTargeting') {
        (this.entities.sponsored_product_keywords ?? []).forEach((k, i) => rows.push({ date, campaignId: k.campaignId, adGroupId: k.adGroupId, keywordId: k.keywordId, keywordType: k.matchType, ...metrics(i, day) }));
      }
    });
    return rows;
  }
}

