import { ImportRun } from './import-run.entity';

export { ImportRun };
export const systemLogsEntities: Function[] = [ImportRun];
