// Demo data of the system-logs category: API calls, system events and administrative actions
// over the demo period, with request ids shared by the calls and the events they caused.
// (Demo audit records are not seeded: the audit log holds only what the gateway really served.)
import type { EntityManager } from 'typeorm';
import { ApiCallLog, SystemEvent, UserAction } from '../../../entities/system-logs';
import type { DemoCatalog } from './demo-catalog';
import type { DemoRandom } from './demo-random';

const OPERATIONS = ['Dashboard', 'OrdersPage', 'CampaignMetrics', 'InventoryHealth', 'SettlementReport', 'ListingsPage'];
const PRINCIPALS = ['user:ana.ops', 'user:ben.finance', 'user:chris.ads', 'token:partner-repricer', 'user:dana.security'];
const ERRORS: [number, string][] = [
  [401, 'UNAUTHENTICATED'],
  [200, 'FORBIDDEN'],
  [400, 'PURPOSE_REQUIRED'],
  [400, 'GRAPHQL_VALIDATION_FAILED'],
  [429, 'RATE_LIMITED'],
];

function requestId(rng: DemoRandom): string {
  const hex = rng.code(32, '0123456789abcdef');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export async function seedSystemLogsDemo(manager: EntityManager, rng: DemoRandom, catalog: DemoCatalog): Promise<void> {
  const day = 86_400_000;
  const start = catalog.today.getTime() - 14 * day;
  const calls: Partial<ApiCallLog>[] = [];
  const events: Partial<SystemEvent>[] = [];
  for (let i = 0; i < 300; i += 1) {
    const time = new Date(start + rng.int(0, 14 * day - 1));
    const id = requestId(rng);
    const failed = rng.chance(0.12) ? rng.pick(ERRORS) : null;
    const account = rng.chance(0.4) ? rng.pick(catalog.accounts).sellerId : null;
    calls.push({
      requestId: id,
      time,
      principalId: failed?.[1] === 'UNAUTHENTICATED' ? null : rng.pick(PRINCIPALS),
      accountId: account,
      operationName: rng.pick(OPERATIONS),
      method: 'POST',
      path: '/graphql',
      httpStatus: failed ? failed[0] : 200,
      latencyMs: rng.int(4, failed ? 30 : 450),
      errorCode: failed ? failed[1] : null,
    });
    if (failed?.[1] === 'RATE_LIMITED') {
      events.push({ time, level: 'WARN', component: 'rate-limit', message: 'Request rate limit reached for a principal', requestId: id });
    }
  }
  for (let d = 0; d < 14; d += 1) {
    events.push({ time: new Date(start + d * day + 3_600_000), level: 'INFO', component: 'retention', message: 'Retention run finished', requestId: null });
  }
  events.push(
    { time: new Date(start + 60_000), level: 'INFO', component: 'gateway', message: 'Gateway started', requestId: null },
    { time: new Date(start + 5 * day), level: 'ERROR', component: 'database', message: 'Database connection lost; requests refused until it returned', requestId: null },
    { time: new Date(start + 5 * day + 40_000), level: 'INFO', component: 'database', message: 'Database connection restored', requestId: null },
  );
  const actions: Partial<UserAction>[] = [
    { time: new Date(start + 2 * day), actor: 'user:admin', action: 'token.create', target: 'token:partner-repricer', requestId: requestId(rng) },
    { time: new Date(start + 3 * day), actor: 'cli:ops', action: 'account.add', target: catalog.accounts[0]?.sellerId ?? null, requestId: null },
    { time: new Date(start + 6 * day), actor: 'user:admin', action: 'token.revoke', target: 'token:old-reporting', requestId: requestId(rng) },
    { time: new Date(start + 9 * day), actor: 'user:admin', action: 'grant.update', target: 'role:analyst', requestId: requestId(rng) },
    { time: new Date(start + 12 * day), actor: 'cli:ops', action: 'retention.run', target: null, requestId: null },
  ];
  await manager.insert(ApiCallLog, calls);
  await manager.insert(SystemEvent, events);
  await manager.insert(UserAction, actions);
}
