import { ApiCallLog } from './api-call-log.entity';
import { ImportRun } from './import-run.entity';
import { SystemEvent } from './system-event.entity';
import { UserAction } from './user-action.entity';

export { ApiCallLog, ImportRun, SystemEvent, UserAction };
export const systemLogsEntities: Function[] = [ImportRun, ApiCallLog, SystemEvent, UserAction];
