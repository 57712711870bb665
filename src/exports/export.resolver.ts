// createExport / myExports: restricted exports over GraphQL (EXPORT_DATA; audited like every
// operation, the exported query's row counts and masked or denied fields included).
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, Info, Mutation, Query, Resolver } from 'type-graphql';
import type { DataExport } from '../../entities/gateway/data-export.entity';
import type { RequestContext } from '../context';
import { ErrorCode } from '../errors';
import { Allow } from '../policy/classification';
import { Permission } from '../policy/taxonomy';
import { ExportFormat } from './export-file';
import { createExport, exportExecutorOf, exportRefusalFor, exportSettingsOf, listExports } from './export.service';
import { DataExportType } from './export.type';

export function toExportType(record: DataExport): DataExportType {
  return {
    id: record.id,
    format: record.format as ExportFormat,
    status: 'READY',
    purpose: record.purpose,
    operationName: record.operationName,
    documentHash: record.documentHash.trim(),
    policyVersion: record.policyVersion,
    rowCount: record.rowCount,
    byteSize: record.byteSize,
    sha256: record.sha256.trim(),
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    downloadUrl: `/exports/${record.id}`,
  };
}

@Resolver()
export class ExportResolver {
  @Mutation(() => DataExportType, {
    description:
      'Runs a query as the caller (same principal, X-Purpose, policy, masks and limits) and stores its rows as a watermarked file that only the caller can download (GET downloadUrl) until it expires',
  })
  @Allow(Permission.EXPORT_DATA)
  async createExport(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('document', () => String, {
      description:
        'The query to export (one root field; its list, connection nodes or single list field are the rows). A connection is paged through to its last page (after each endCursor); more than EXPORT_MAX_ROWS rows are refused',
    })
    document: string,
    @Arg('format', () => ExportFormat) format: ExportFormat,
    @Arg('variables', () => GraphQLJSONObject, { nullable: true }) variables: Record<string, unknown> | null,
    @Arg('operationName', () => String, { nullable: true }) operationName: string | null,
  ): Promise<DataExportType> {
    const settings = exportSettingsOf(ctx);
    if (!settings) {
      throw new GraphQLError('createExport is resolved by the gateway (`serve` or `serve --gateway`): a subgraph does not make exports', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
    }
    const record = await createExport(ctx, exportExecutorOf(ctx) ?? info.schema, { document, variables: variables ?? null, operationName: operationName ?? null, format }, settings);
    return toExportType(record);
  }

  @Query(() => [DataExportType], { description: 'The caller\'s exports that can still be downloaded, newest first' })
  @Allow(Permission.EXPORT_DATA)
  async myExports(@Ctx() ctx: RequestContext): Promise<DataExportType[]> {
    // Only those the download route serves now (role, row scope, categories and purpose as today).
    const exports = await listExports(ctx.db, ctx.principal!, ctx.now());
    return exports.filter((file) => exportRefusalFor(file, ctx.principal!, ctx.scope, ctx.policy) === null).map(toExportType);
  }
}

/** Resolvers of restricted exports (registered in src/server/schema.ts). */
export const exportResolvers: Function[] = [ExportResolver];
