// The Selling Partner API as Amazon's own models describe it (../shared/amazon-api-models): every
// operation's method, path, rate and burst (from its description's table) and the responses of its
// `x-amzn-api-sandbox` blocks. The stand-in routes by these paths and answers from these examples.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const MODELS = resolve(__dirname, '../../../../shared/amazon-api-models');
export const SAMPLES = resolve(__dirname, '../../../../shared/samples/amazon');

export interface ModelOperation {
  model: string;
  operationId: string;
  method: string;
  /** The path template, e.g. `/reports/2021-06-30/reports/{reportId}`. */
  path: string;
  pattern: RegExp;
  params: string[];
  /** Requests per second and burst, as the operation's description states them. */
  rate: number | null;
  burst: number | null;
  /** `x-amzn-api-sandbox` static responses of its success status. */
  sandbox: unknown[];
}

interface SwaggerOperation {
  operationId?: string;
  description?: string;
  responses?: Record<string, { 'x-amzn-api-sandbox'?: { static?: { response?: unknown }[] } }>;
}

export function loadModels(dir = MODELS): ModelOperation[] {
  const operations: ModelOperation[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    const model = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { paths: Record<string, Record<string, SwaggerOperation>> };
    for (const [path, methods] of Object.entries(model.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (!op || typeof op !== 'object' || !op.operationId) continue;
        const limits = /\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|/.exec(op.description ?? '');
        const params: string[] = [];
        const pattern = new RegExp(
          `^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
            params.push(name);
            return '([^/]+)';
          })}$`,
        );
        const success = Object.entries(op.responses ?? {}).find(([status]) => /^2/.test(status))?.[1];
        operations.push({
          model: file,
          operationId: op.operationId,
          method: method.toUpperCase(),
          path,
          pattern,
          params,
          rate: limits ? Number(limits[1]) : null,
          burst: limits ? Number(limits[2]) : null,
          sandbox: (success?.['x-amzn-api-sandbox']?.static ?? []).map((example) => example.response),
        });
      }
    }
  }
  return operations;
}

export function sampleJson<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(join(SAMPLES, relative), 'utf8')) as T;
}

export function sampleText(relative: string): Buffer {
  return readFileSync(join(SAMPLES, relative));
}
