// Writers for the other SYSTEM_LOGS tables: administrative actions and system events. Callers
// pass their own entity manager, so an action is recorded in the same transaction as its effect.
import type { EntityManager } from 'typeorm';
import { SystemEvent, type SystemEventLevel } from '../../entities/system-logs/system-event.entity';
import { UserAction } from '../../entities/system-logs/user-action.entity';

export interface UserActionInput {
  /** Principal id, or `cli:<os user>` from the command line. */
  actor: string;
  /** Dotted verb, e.g. `token.create`, `token.revoke`, `retention.run`, `grant.update`. */
  action: string;
  /** What it applied to (token id, account id, ...): never a secret or personal value. */
  target?: string | null;
  requestId?: string | null;
  time?: Date;
}

export async function recordUserAction(manager: EntityManager, input: UserActionInput): Promise<void> {
  await manager.insert(UserAction, {
    time: input.time ?? new Date(),
    actor: input.actor.slice(0, 200),
    action: input.action.slice(0, 60),
    target: input.target?.slice(0, 200) ?? null,
    requestId: input.requestId?.slice(0, 100) ?? null,
  });
}

export interface SystemEventInput {
  level: SystemEventLevel;
  component: string;
  /** Never personal data, tokens or request bodies. */
  message: string;
  requestId?: string | null;
  time?: Date;
}

export async function recordSystemEvent(manager: EntityManager, input: SystemEventInput): Promise<void> {
  await manager.insert(SystemEvent, {
    time: input.time ?? new Date(),
    level: input.level,
    component: input.component.slice(0, 60),
    message: input.message.slice(0, 1000),
    requestId: input.requestId?.slice(0, 100) ?? null,
  });
}
