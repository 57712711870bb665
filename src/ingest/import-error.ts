// A refusal of a whole file, with a message meant for the person importing it. Messages name
// lines, columns and reasons, never cell values (a value may be personal data).
export type ImportErrorCode =
  | 'EMPTY_FILE'
  | 'BINARY_FILE'
  | 'UNSUPPORTED_FORMAT'
  | 'ENCODING'
  | 'TRUNCATED'
  | 'HEADER_ONLY'
  | 'UNKNOWN_TYPE'
  | 'WRONG_TYPE'
  | 'MISSING_COLUMNS'
  | 'INVALID_JSON'
  | 'ACCOUNT_NOT_AUTHORIZED'
  | 'MARKETPLACE_NOT_AUTHORIZED'
  | 'MARKETPLACE_REQUIRED'
  | 'TOO_MANY_ERRORS'
  | 'ABORTED';

export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}
