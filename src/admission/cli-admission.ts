// The admission pipeline on the command line. A command that reads or changes data runs as a
// principal through the same steps as a request (authenticate, suspension, rate limit, purpose,
// decisions) and leaves exactly one record in the audit hash chain; its output is printed only
// after that record is written (fail-closed).
//
// The principal is the API token in SELLERGATE_TOKEN (or `--token-file`): the command then acts
// within that token's role, purposes and scope, exactly as over HTTP. Without one it is the local
// operator (`cli:<os user>@<host>`, kind `operator`): whoever holds the database credentials can read
// and change everything anyway, so the operator is not filtered, only recorded.
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import { AuditWriter } from '../audit/audit.writer';
import { createAuthenticator } from '../auth/authenticate';
import type { Principal } from '../auth/principal';
import type { Config } from '../config';
import type { RequestContext } from '../context';
import { ErrorCode } from '../errors';
import { decide } from '../policy/decide';
import type { FieldRegistry } from '../policy/field-registry';
import type { Policy } from '../policy/policy';
import { asPolicySource } from '../policy/policy-holder';
import { ALL_PURPOSES, type Category, type Permission, type Purpose } from '../policy/taxonomy';
import { createRateLimiter, REDIS_START_WAIT_MS } from '../security';
import { RedisBreaker } from '../security/redis-breaker';
import { SuspensionService } from '../security/suspension.service';
import { newRequestId } from '../request-id';
import { Admission, holdsPermission, permissionRequired, purposeRequired, refusalStatus, type RequestFacts } from './admission';

/** What a command is, for admission and its audit record. */
export interface CliCommandSpec {
  /** The command as typed, e.g. `token create` (the record's operation name). */
  name: string;
  /** Whether it changes data (`mutation`) or only reads (`query`). */
  kind: 'query' | 'mutation';
  /** The permission it needs (any one of a list, as its GraphQL counterpart's), and what it lets one do. */
  permission?: { permission: Permission | readonly Permission[]; what: string };
  /** The categories of data it reads or changes (its record names them). */
  categories?: readonly Category[];
  /** It reads category data, so it needs a purpose: the declared one, or this one for the operator. */
  purpose?: Purpose;
  /** Classified types whose fields it prints: a token principal must hold every field of them in full. */
  prints?: readonly string[];
  /** Only the local operator may run it (it acts on what only database access governs: the policy, the keys). */
  operatorOnly?: boolean;
}

/** Who runs the command line and under which purpose. */
export interface CliIdentity {
  /** An API token secret (SELLERGATE_TOKEN or the file of `--token-file`); none: the local operator. */
  token?: string;
  /** The purpose declared with `--purpose` or SELLERGATE_PURPOSE. */
  purpose?: string;
  /** Without a token: a system principal of the server (e.g. the sync schedule) instead of the local operator. */
  principal?: Principal;
}

/** A command refused by admission (printed as `refused (CODE): message`, exit status 1). */
export class CliRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(`refused (${code}): ${message}`);
    this.name = 'CliRefusal';
  }
}

/** The local operator of the command line. */
export function operatorPrincipal(): Principal {
  let user = 'operator';
  try {
    user = userInfo().username;
  } catch {
    // no user database entry (a container): keep the generic name
  }
  return {
    id: `cli:${user}@${hostname()}`.slice(0, 200),
    kind: 'operator',
    name: user,
    role: 'operator',
    purposes: ALL_PURPOSES,
    categories: null,
    accounts: null,
    marketplaces: null,
    partner: false,
    expiresAt: null,
  };
}

/** The identity of this command line run: SELLERGATE_TOKEN / `--token-file`, `--purpose` / SELLERGATE_PURPOSE. */
export function cliIdentity(options: { tokenFile?: string; purpose?: string }, env: NodeJS.ProcessEnv = process.env): CliIdentity {
  const token = options.tokenFile ? readFileSync(options.tokenFile, 'utf8').trim() : env.SELLERGATE_TOKEN?.trim() || undefined;
  return { token, purpose: options.purpose ?? (env.SELLERGATE_PURPOSE?.trim() || undefined) };
}

export interface CliAdmissionDeps {
  dataSource: DataSource;
  config: Config;
  /** The policy in force (the newest applied one, else POLICY_FILE, else the default). */
  policy: Policy;
  /** The classified fields of the gateway schema (built only when a token principal's output is decided). */
  fieldRegistry: () => Promise<FieldRegistry>;
}

/** Fields of `types` the principal may not read in full under `purpose` (masked or denied). */
function withheldFields(registry: FieldRegistry, policy: Policy, principal: Principal, purpose: Purpose | null, types: readonly string[]): string[] {
  const withheld: string[] = [];
  for (const field of registry.fields.values()) {
    if (!types.includes(field.typeName)) continue;
    if (decide(policy, principal, purpose, field, registry.fields).effect !== 'allow') withheld.push(field.coordinate);
  }
  return withheld.sort();
}

/**
 * Runs `body` as an admitted command: refusals throw a `CliRefusal` (after their record is
 * written); the body's result is returned only after the command's record is written.
 */
export async function runAdmittedCommand<T>(
  deps: CliAdmissionDeps,
  spec: CliCommandSpec,
  identity: CliIdentity,
  body: (ctx: RequestContext) => Promise<{ result: T; facts?: Partial<RequestFacts> }>,
): Promise<T> {
  const { dataSource, config, policy } = deps;
  // No checkpoint per command: the gateway's writers sign them (a command would add one per run).
  const writer = new AuditWriter(dataSource, { checkpointKey: null });
  const suspensions = new SuspensionService(dataSource, { cacheMs: 0 });
  // A token pays into the bucket it pays into over HTTP: in Redis (REDIS_URL), shared with the
  // gateway's processes; without Redis each command is a process with a bucket of its own. The
  // local operator pays into none, so its commands do not connect to Redis.
  const redis = config.REDIS_URL && identity.token ? new RedisBreaker(config.REDIS_URL) : null;
  await redis?.whenReady(REDIS_START_WAIT_MS);
  const admission = new Admission({
    dataSource,
    policies: asPolicySource(policy),
    authenticate: createAuthenticator({ config, policy }),
    suspensions,
    rateLimiter: createRateLimiter(config, redis, { perAddress: false }),
    audit: (entry) => writer.append(entry),
  });
  try {
    const operator = identity.token ? undefined : (identity.principal ?? operatorPrincipal());
    const declared = identity.purpose ?? (operator ? (spec.purpose ?? null) : null);
    const ctx = await admission.admit({
      entry: 'cli',
      requestId: newRequestId(),
      authorization: identity.token ? `Bearer ${identity.token}` : undefined,
      principal: operator,
      origin: { ip: null, userAgent: `sellergate-cli/${process.version}`, clientName: 'sellergate-cli', clientVersion: null },
      declaredPurpose: declared,
    });
    const base: Partial<RequestFacts> = { operationType: spec.kind, operationName: spec.name, categories: [...(spec.categories ?? [])] };
    let answer: { result: T; facts?: Partial<RequestFacts> };
    try {
      if (ctx.refusal) throw ctx.refusal;
      if (spec.operatorOnly && ctx.principal?.kind !== 'operator') {
        throw new GraphQLError(`only the local operator (whoever holds the database credentials) may run \`${spec.name}\`: run it without SELLERGATE_TOKEN`, {
          extensions: { code: ErrorCode.FORBIDDEN },
        });
      }
      if (spec.permission) {
        const permissions: readonly Permission[] = Array.isArray(spec.permission.permission) ? spec.permission.permission : [spec.permission.permission];
        if (!permissions.some((permission) => holdsPermission(ctx.policy, ctx.principal, permission))) throw permissionRequired(ctx.principal!, permissions, spec.permission.what);
      }
      if (spec.purpose && ctx.purpose === null) throw purposeRequired(ctx.principal);
      if (spec.prints?.length && ctx.principal?.kind !== 'operator') {
        const withheld = withheldFields(await deps.fieldRegistry(), ctx.policy, ctx.principal!, ctx.purpose, spec.prints);
        if (withheld.length > 0) {
          throw new GraphQLError(`this command prints fields this principal may not read in full under ${ctx.purpose ?? 'no purpose'}: ${withheld.join(', ')} (use GraphQL, which masks and denies field by field)`, {
            extensions: { code: ErrorCode.FORBIDDEN, coordinates: withheld },
          });
        }
      }
      answer = await body(ctx);
    } catch (error) {
      if (!(error instanceof GraphQLError) || !error.extensions?.code) {
        await admission.record(ctx, { ...base, outcome: 'error', errorCodes: [ErrorCode.INTERNAL_SERVER_ERROR] });
        throw error;
      }
      const code = String(error.extensions.code);
      const outcome = code === ErrorCode.FORBIDDEN ? 'denied' : code === ErrorCode.BAD_USER_INPUT ? 'invalid' : 'refused';
      await admission.record(ctx, { ...base, outcome, errorCodes: [code] });
      throw new CliRefusal(code, error.message, refusalStatus(error));
    }
    await admission.record(ctx, { ...base, outcome: 'ok', errorCodes: [], ...answer.facts });
    return answer.result;
  } finally {
    await writer.stop();
    await redis?.stop();
  }
}
