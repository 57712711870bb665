// Counts the SQL statements a data source runs, e.g. to show that a nested GraphQL query costs a
// fixed number of statements however many rows it returns (DataLoader batching).
import type { DataSource } from 'typeorm';

export interface QueryCounter {
  /** Statements run since the counter started or was last reset. */
  readonly count: number;
  readonly statements: readonly string[];
  reset(): void;
  /** Restores the data source's logger. */
  stop(): void;
}

const TRANSACTION_CONTROL = /^\s*(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)/i;

/** Wraps the data source logger (TypeORM reports every statement to it, logging on or off). */
export function countQueries(dataSource: DataSource): QueryCounter {
  const logger = dataSource.logger;
  const original = logger.logQuery;
  const statements: string[] = [];
  logger.logQuery = function (query, parameters, queryRunner) {
    if (!TRANSACTION_CONTROL.test(query)) statements.push(query);
    return original.call(this, query, parameters, queryRunner);
  };
  return {
    get count() {
      return statements.length;
    },
    statements,
    reset() {
      statements.length = 0;
    },
    stop() {
      logger.logQuery = original;
    },
  };
}
