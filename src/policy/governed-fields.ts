// The classifications and policy the governed schema of this process was built with, for the
// checks that run inside services rather than on fields (aggregate thresholds, arguments that
// filter by a field). `governSchema` registers them; before any schema is governed (the gateway
// runs with governance off, or services are used outside a schema) nothing is registered.
import type { FieldInfo } from './field-registry';
import type { Policy } from './policy';

export interface GovernedFields {
  /** Coordinate -> classification of every classified field. */
  readonly classifications: ReadonlyMap<string, FieldInfo>;
  /** Type name -> its aggregate measures. */
  readonly aggregateFields: ReadonlyMap<string, readonly FieldInfo[]>;
  readonly policy: Policy | undefined;
  /** The key PSEUDONYM masks use (arguments given as pseudonyms are mapped back with it). */
  readonly pseudonymKey: string | undefined;
}

let governed: GovernedFields = { classifications: new Map(), aggregateFields: new Map(), policy: undefined, pseudonymKey: undefined };

/** Called by governSchema: the classified fields under the policy in force, and the pseudonym key. */
export function registerGovernedFields(fields: ReadonlyMap<string, FieldInfo>, policy: Policy, pseudonymKey?: string): void {
  const aggregateFields = new Map<string, FieldInfo[]>();
  for (const field of fields.values()) {
    if (!field.aggregate) continue;
    aggregateFields.set(field.typeName, [...(aggregateFields.get(field.typeName) ?? []), field]);
  }
  governed = { classifications: fields, aggregateFields, policy, pseudonymKey: pseudonymKey ?? governed.pseudonymKey };
}

export function governedFields(): GovernedFields {
  return governed;
}
