// The createExport mutation as the export tests send it, and the fields they read back.
export const CREATE_EXPORT = `mutation MakeExport($document: String!, $variables: JSONObject, $format: ExportFormat!, $operationName: String) {
  createExport(document: $document, variables: $variables, format: $format, operationName: $operationName) {
    id format status rowCount byteSize sha256 purpose policyVersion operationName documentHash createdAt expiresAt downloadUrl
  }
}`;

export interface ExportInfo {
  id: string;
  format: string;
  status: string;
  rowCount: number;
  byteSize: number;
  sha256: string;
  purpose: string;
  policyVersion: string;
  operationName: string | null;
  documentHash: string;
  createdAt: string;
  expiresAt: string;
  downloadUrl: string;
}
