// Migrations in the order they run. Every schema change adds one here; none is ever edited.
import type { MigrationInterface } from 'typeorm';
import { CoreAccounts1795777861725 } from './1795777861725-core-accounts';

export const MIGRATIONS: (new () => MigrationInterface)[] = [CoreAccounts1795777861725];
