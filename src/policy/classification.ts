// Sensitivity is declared next to each GraphQL field, stored in type-graphql extensions under
// `governance`, and read back from the built schema by the field registry (field-registry.ts).
import { Extensions } from 'type-graphql';
import { Category, MaskKind, Permission, Purpose, Sensitivity } from './taxonomy';

/** What a field declares about itself. */
export interface FieldClassification {
  sensitivity: Sensitivity;
  /** Mask used when a grant says `masked`; without one, `masked` is treated as `deny`. */
  mask?: MaskKind;
  /** Aggregate measure: k-anonymous groups may be returned in full to a `masked` grant. */
  aggregate?: boolean;
  /**
   * On an aggregate group type: the field counting the orders/entities a group covers (compared
   * with k). Without it, an Int field named `orders`, `orderCount`, `entities` or `count` is used.
   */
  groupSize?: boolean;
  /** Category of a root field or of a field whose data comes from another category. */
  category?: Category;
  /**
   * Narrows the category's purposes for this field (e.g. a restricted archive readable only under
   * AUDIT): decision step 2 then admits only these. Never widens.
   */
  purposes?: Purpose[];
}

export interface TypeClassification {
  category: Category;
}

export const GOVERNANCE_EXTENSION = 'governance';

/** Marks an object type as holding data of one category; all its fields must be classified. */
export function DataCategory(category: Category): ClassDecorator {
  return Extensions({ [GOVERNANCE_EXTENSION]: { category } satisfies TypeClassification }) as ClassDecorator;
}

/** Declares a field's sensitivity (and its mask) where the field is declared. */
export function Classified(
  sensitivity: Sensitivity,
  options: Omit<FieldClassification, 'sensitivity'> = {},
): MethodDecorator & PropertyDecorator {
  const classification: FieldClassification = { sensitivity, ...options };
  return Extensions({ [GOVERNANCE_EXTENSION]: classification }) as MethodDecorator & PropertyDecorator;
}

/** What a root operation that is not a data read requires (e.g. token management). */
export interface OperationClassification {
  /** The principal's role must hold at least one of these permissions. */
  permissions: Permission[];
  /** Open to every authenticated principal (partner tokens included): permissions is then empty. */
  authenticated?: true;
}

/**
 * Declares the administrative permission a root query or mutation needs, beside the operation
 * (it needs no purpose; the audit plugin records it like every operation).
 */
export function Allow(...permissions: Permission[]): MethodDecorator {
  return Extensions({ [GOVERNANCE_EXTENSION]: { permissions } satisfies OperationClassification }) as MethodDecorator;
}

/**
 * A root query about the caller itself (e.g. `me`): open to every authenticated principal, with no
 * permission and no purpose; it must read no data of any category.
 */
export function AnyAuthenticated(): MethodDecorator {
  return Extensions({ [GOVERNANCE_EXTENSION]: { permissions: [], authenticated: true } satisfies OperationClassification }) as MethodDecorator;
}
