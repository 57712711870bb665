// GraphQL shapes of restricted exports (administrative metadata: no data category; the rows
// themselves are only in the downloaded file).
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ExportFormat } from './export-file';

registerEnumType(ExportFormat, { name: 'ExportFormat', description: 'File format of a restricted export' });

@ObjectType('DataExport', { description: 'A restricted export: downloadable by the principal that made it until it expires, then deleted' })
export class DataExportType {
  @Field(() => ID, { description: 'Export id (also in the file\'s watermark line)' })
  id: string;

  @Field(() => ExportFormat)
  format: ExportFormat;

  @Field({ description: 'READY until the export expires (expired exports are deleted)' })
  status: string;

  @Field(() => String, { nullable: true, description: 'Purpose the rows were read under' })
  purpose: string | null;

  @Field(() => String, { nullable: true })
  operationName: string | null;

  @Field({ description: 'SHA-256 of the exported document\'s text' })
  documentHash: string;

  @Field({ description: 'Version of the access policy the rows were read under' })
  policyVersion: string;

  @Field(() => Int, { description: 'Rows in the file' })
  rowCount: number;

  @Field(() => Int, { description: 'Size of the file in bytes' })
  byteSize: number;

  @Field({ description: 'SHA-256 of the file\'s bytes' })
  sha256: string;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date)
  expiresAt: Date;

  @Field({ description: 'Path of the download: GET it with the same credentials' })
  downloadUrl: string;
}
