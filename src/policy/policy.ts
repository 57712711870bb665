// The access policy as data: categories -> purposes, roles -> declarable purposes, grants per
// (role, purpose) -> per sensitivity, and k for aggregates. Validated with zod; an operator's
// file replaces the shipped default (default-policy.ts) and must pass the same schema.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ALL_CATEGORIES, Category, CATEGORY_PURPOSES, Permission, Purpose, Sensitivity } from './taxonomy';

/** What a grant says for one sensitivity. `PUBLIC` is always readable and is not granted. */
export const GRANT_EFFECTS = ['full', 'masked', 'deny'] as const;
export type GrantEffect = (typeof GRANT_EFFECTS)[number];

/** Sensitivities a grant speaks about (every one except PUBLIC). */
export const GRANTED_SENSITIVITIES = [
  Sensitivity.INTERNAL,
  Sensitivity.CONFIDENTIAL,
  Sensitivity.IDENTIFIER,
  Sensitivity.PERSONAL,
] as const;
export type GrantedSensitivity = (typeof GRANTED_SENSITIVITIES)[number];

const grantEffect = z.enum(GRANT_EFFECTS);

/** A role's grant for one purpose: per sensitivity, `full`, `masked` or `deny`. */
export const grantSchema = z
  .object({
    [Sensitivity.INTERNAL]: grantEffect,
    [Sensitivity.CONFIDENTIAL]: grantEffect,
    [Sensitivity.IDENTIFIER]: grantEffect,
    [Sensitivity.PERSONAL]: grantEffect,
  })
  .strict();
export type Grant = z.infer<typeof grantSchema>;

export const roleSchema = z
  .object({
    description: z.string().default(''),
    /** Purposes a principal of this role may declare with `X-Purpose`. */
    purposes: z.array(z.enum(Purpose)),
    /** Administrative actions (no purpose applies), e.g. token management. */
    permissions: z.array(z.enum(Permission)).default([]),
    /** Whether principals of this role may run introspection queries. */
    introspection: z.boolean().default(true),
    /** One grant per declarable purpose; a purpose without a grant is an error. */
    grants: z.partialRecord(z.enum(Purpose), grantSchema).default({}),
  })
  .strict();
export type Role = z.infer<typeof roleSchema>;

const ROLE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const COORDINATE = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

export const policyDocumentSchema = z
  .object({
    /** Optional operator label; the effective version always adds a content hash. */
    version: z.string().min(1).max(64).optional(),
    /** Purposes each category may be used for (the company policy table). */
    categories: z.record(z.enum(Category), z.array(z.enum(Purpose))).default(() => clonePurposes()),
    aggregates: z
      .object({
        /** Minimum orders/entities per group before a `masked` grant sees a measure in full. */
        k: z.number().int().min(2).max(10_000),
      })
      .strict()
      .default({ k: 5 }),
    /**
     * Derivations: a protected value and the fields it can be computed from (e.g. an order's total
     * from its items' prices, shipping, tax and discounts). Each deriving field is decided at least
     * as strictly as the protected value under the same role and purpose (deny beats mask beats
     * allow), so a mask cannot be undone by reading the parts.
     */
    derivations: z
      .array(
        z
          .object({
            protects: z.string().regex(COORDINATE, 'a field coordinate, Type.field'),
            from: z.array(z.string().regex(COORDINATE, 'a field coordinate, Type.field')).min(1),
            description: z.string().max(500).optional(),
          })
          .strict(),
      )
      .default([]),
    deletion: z
      .object({
        /**
         * Separation of duties for deletion requests: the principal who approves differs from the one
         * who filed the request, and the one who executes differs from the approver (a token counts as
         * the principal that created it, too). `false` lets one principal do every step.
         */
        separationOfDuties: z.boolean().default(true),
      })
      .strict()
      .default({ separationOfDuties: true }),
    roles: z.record(z.string().regex(ROLE_NAME, 'role names are lower_snake_case'), roleSchema),
  })
  .strict()
  .superRefine((document, ctx) => {
    const categorised = new Set(Object.values(document.categories).flat());
    for (const [name, role] of Object.entries(document.roles)) {
      role.purposes.forEach((purpose, index) => {
        if (!categorised.has(purpose)) {
          ctx.addIssue({ code: 'custom', path: ['roles', name, 'purposes', index], message: `${purpose} is a purpose of no category` });
        }
        if (!role.grants[purpose]) {
          ctx.addIssue({ code: 'custom', path: ['roles', name, 'grants', purpose], message: `role ${name} may declare ${purpose} but has no grant for it` });
        }
      });
      if (new Set(role.purposes).size !== role.purposes.length) {
        ctx.addIssue({ code: 'custom', path: ['roles', name, 'purposes'], message: 'purposes listed twice' });
      }
      for (const purpose of Object.keys(role.grants)) {
        if (!role.purposes.includes(purpose as Purpose)) {
          ctx.addIssue({ code: 'custom', path: ['roles', name, 'grants', purpose], message: `grant for ${purpose}, which role ${name} may not declare` });
        }
      }
    }
    document.derivations.forEach((derivation, index) => {
      if (derivation.from.includes(derivation.protects)) {
        ctx.addIssue({ code: 'custom', path: ['derivations', index, 'from'], message: `${derivation.protects} cannot derive itself` });
      }
    });
    for (const category of ALL_CATEGORIES) {
      for (const purpose of document.categories[category]) {
        const others = ALL_CATEGORIES.filter((other) => other !== category && document.categories[other].includes(purpose));
        if (others.length > 0) {
          ctx.addIssue({ code: 'custom', path: ['categories', category], message: `${purpose} is also a purpose of ${others.join(', ')}` });
        }
      }
    }
  });

export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type PolicyInput = z.input<typeof policyDocumentSchema>;

/**
 * The loaded, validated access policy. Operators edit it as data (POLICY_FILE); the version is
 * carried by every decision, response and audit record.
 */
export interface Policy extends PolicyDocument {
  /** `<label>+<hash>` or `<hash>`: the first 12 hex digits of the canonical content's SHA-256. */
  version: string;
}

function clonePurposes(): Record<Category, Purpose[]> {
  return Object.fromEntries(ALL_CATEGORIES.map((category) => [category, [...CATEGORY_PURPOSES[category]]])) as Record<Category, Purpose[]>;
}

/** Key-sorted JSON, so the hash does not depend on key order in the file. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export class PolicyValidationError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid access policy (${source}): ${problems.join('; ')}`);
    this.name = 'PolicyValidationError';
  }
}

/** Validates a policy document and computes its version; problems name the bad entry's path. */
export function parsePolicy(input: unknown, source = 'policy'): Policy {
  const parsed = policyDocumentSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
    throw new PolicyValidationError(source, problems);
  }
  const { version: label, ...content } = parsed.data;
  const hash = createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 12);
  return { ...parsed.data, version: label ? `${label}+${hash}` : hash };
}

/** The derivations in which `coordinate` is one of the deriving fields: the values it protects. */
export function protectedBy(policy: Policy, coordinate: string): string[] {
  return policy.derivations.filter((derivation) => derivation.from.includes(coordinate)).map((derivation) => derivation.protects);
}

/** The role's grant for a purpose, or undefined when the role may not declare it. */
export function grantOf(policy: Policy, role: string, purpose: Purpose): Grant | undefined {
  const definition = policy.roles[role];
  if (!definition || !definition.purposes.includes(purpose)) return undefined;
  return definition.grants[purpose];
}
