// Where a planned request's CPU goes, without HTTP: `npm run bench:planned`. In one process on a
// fresh benchmark database (demo data), for each benchmark query, the CPU time per operation of
//
//   baseline   the bare data work: the baseline server's SQL and JSON (bench/baseline-data.ts)
//   admission  the admission steps of the production wiring (token, suspension, rate limits, purpose)
//   + plan     the same, then the operation on its plan (src/execution/planned-executor.ts)
//   + audit    the same, then the operation's audit record written (batched, fail-closed)
//
// each run by 10 concurrent loops (BENCH_PLANNED_OPS operations, default 3000, after 300 of
// warm-up), with ratios to the baseline measured in the same run. The difference between `+ audit`
// and the full gateway benchmark's CPU per request (npm run bench) is the HTTP and Apollo Server
// part. The planned answers are checked against the baseline's before anything is measured.
import 'reflect-metadata';
import { deepStrictEqual } from 'node:assert';
import { parse, getOperationAST } from 'graphql';
import { Pool } from 'pg';
import { operationFacts } from '../src/admission/operation-facts';
import { sha256Hex } from '../src/audit/canonical';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { plannedExecution } from '../src/execution/planned-executor';
import { createComponents, loadGatewayPolicy } from '../src/server/components';
import { HANDLERS } from './baseline-data';
import { benchGatewayEnv, createBenchDatabase, DEFAULT_SERVER_URL, prepareBenchDataInChild } from './bench-database';
import { BENCH_QUERIES } from './bench-queries';

const log = (message: string) => process.stderr.write(`[bench:planned] ${message}\n`);

/** CPU ms per operation of `operation`, run by `concurrency` loops `count` times in all. */
async function cpuPerOperation(operation: () => Promise<unknown>, count: number, concurrency = 10): Promise<number> {
  const warmup = 300;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let index = 0; index < warmup / concurrency; index += 1) await operation();
  }));
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let index = 0; index < count / concurrency; index += 1) await operation();
  }));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_PLANNED_OPS ?? 3000);
  const database = await createBenchDatabase(process.env.DATABASE_URL ?? DEFAULT_SERVER_URL);
  try {
    // The gateway servers' environment of npm run bench (production wiring, rate limits off).
    const env = benchGatewayEnv(database.url);
    const config = loadConfig(env);
    // Seeded in a child process: the seed's garbage would bias what this process measures.
    const tokens = await prepareBenchDataInChild(env);
    const policy = loadGatewayPolicy(config);
    const dataSource = createDataSource({ url: database.url });
    await dataSource.initialize();
    const components = await createComponents({ dataSource, config, policy });
    const pool = new Pool({ connectionString: database.url, max: 10 });
    const schemas = components.apolloGateway as unknown as { current(): import('graphql').GraphQLSchema; policyOf(schema: unknown): import('../src/policy/policy').Policy | undefined };
    const execute = plannedExecution({ policyOf: (schema) => schemas.policyOf(schema) });
    const rows: string[][] = [['query', 'baseline', 'admission', '+ plan', '+ audit', '+ audit / baseline']];
    try {
      for (const query of BENCH_QUERIES) {
        const schema = schemas.current();
        const document = parse(query.query);
        const operation = getOperationAST(document)!;
        const facts = operationFacts(schema, document, operation);
        const documentHash = sha256Hex(query.query);
        let sequence = 0;
        const admit = () =>
          components.admission.admit({
            entry: 'graphql',
            requestId: `planned-run-${(sequence += 1)}`,
            authorization: `Bearer ${tokens[query.name]}`,
            origin: { ip: '127.0.0.1', userAgent: 'bench', clientName: null, clientVersion: null },
            declaredPurpose: query.purpose,
          });
        const run = async () => {
          const ctx = await admit();
          if (ctx.refusal) throw ctx.refusal;
          const result = await execute({ schema, document, operation, variables: undefined, ctx });
          if (!result) throw new Error(`${query.name}: no plan answered it`);
          return { ctx, result };
        };
        const audited = async () => {
          const { ctx } = await run();
          await components.admission.record(ctx, {
            operationType: 'query',
            operationName: null,
            documentHash,
            document: facts.redactedDocument,
            variables: null,
            // The document's own cached lists, as the audit plugin passes them (normalized once).
            fields: facts.fields as string[],
            categories: facts.categories as string[],
            outcome: 'ok',
            errorCodes: [],
          });
        };
        // Same answers first.
        deepStrictEqual(JSON.parse(JSON.stringify((await run()).result.data)), await HANDLERS[query.name](pool));
        const baseline = await cpuPerOperation(() => HANDLERS[query.name](pool), count);
        const admission = await cpuPerOperation(admit, count);
        const plan = await cpuPerOperation(run, count);
        const audit = await cpuPerOperation(audited, count);
        log(`${query.name}: baseline ${baseline.toFixed(3)}, admission ${admission.toFixed(3)}, + plan ${plan.toFixed(3)}, + audit ${audit.toFixed(3)} ms CPU per operation`);
        rows.push([query.name, baseline.toFixed(3), admission.toFixed(3), plan.toFixed(3), audit.toFixed(3), (audit / baseline).toFixed(2)]);
      }
    } finally {
      await pool.end();
      await components.stop?.();
      await dataSource.destroy();
    }
    process.stdout.write(`\nCPU ms per operation, in process, no HTTP (${count} operations per cell, 10 concurrent loops):\n`);
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    for (const row of rows) process.stdout.write(`${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')}\n`);
  } finally {
    await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`planned-run benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
