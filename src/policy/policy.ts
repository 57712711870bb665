// The access policy as data (roles, grants, k for aggregates) and its version.
// Replaced by the full model in this folder; the request context carries the loaded policy.

/** The loaded, validated access policy. */
export interface Policy {
  /** Carried by every decision and audit record. */
  version: string;
}
