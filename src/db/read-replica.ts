// Reads of the data categories on the read replica (DATABASE_READ_URL), everything else on the
// primary. The data source is replicated with `defaultMode: 'master'`, so a query builder, a
// `find`, a raw `query` and every transaction use the primary unless told otherwise: a
// security check (token lookup, suspension, audit chain head, persisted operations) can never
// read a lagging copy by accident. Only the entity manager returned here sends SELECTs to the
// replica: it sees the data source with `slave` as the default mode for reads, which TypeORM's
// SelectQueryBuilder consults when it takes a connection for one statement (from the replica's
// pool, released after the statement). Its writes and transactions still go to the primary.
import { EntityManager, type DataSource } from 'typeorm';

const managers = new WeakMap<DataSource, EntityManager>();

/** Whether the data source has a read replica (built with `readUrl`). */
export function hasReadReplica(dataSource: DataSource): boolean {
  return dataSource.driver.isReplicated;
}

/**
 * The entity manager for the data categories' reads (GraphQL lists, loaders, entity references):
 * SELECTs on the replica when there is one, else the data source's own manager.
 */
export function replicaReads(dataSource: DataSource): EntityManager {
  if (!hasReadReplica(dataSource)) return dataSource.manager;
  let manager = managers.get(dataSource);
  if (!manager) {
    // The same data source (metadata, pools, logger) with one difference: the default mode of reads.
    const readView = Object.create(dataSource, {
      defaultReplicationModeForReads: { value: () => 'slave' as const },
    }) as DataSource;
    manager = new EntityManager(readView);
    managers.set(dataSource, manager);
  }
  return manager;
}
