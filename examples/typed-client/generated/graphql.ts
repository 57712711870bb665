/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Declared purpose of use (X-Purpose header) */
export type Purpose =
  | 'ACCOUNTING'
  | 'ADVERTISING_MANAGEMENT'
  | 'AFTER_SALES'
  | 'AUDIT'
  | 'BUSINESS_ANALYSIS'
  | 'COMPLIANCE_REVIEW'
  | 'INVENTORY_PLANNING'
  | 'LISTING_MAINTENANCE'
  | 'OPERATIONAL_REPORTING'
  | 'OPERATIONS_MANAGEMENT'
  | 'PLATFORM_COMPLIANCE'
  | 'SECURITY'
  | 'TROUBLESHOOTING';

export type WhoAmIQueryVariables = Exact<{ [key: string]: never; }>;


export type WhoAmIQuery = { me: { role: string, purposes: Array<Purpose>, expiresAt: string | null } };

export type MonthlySalesQueryVariables = Exact<{
  from: string;
  to: string;
}>;


export type MonthlySalesQuery = { salesSummary: { suppressedGroups: number, groups: Array<{ key: string, currency: string | null, orders: number | null, units: number | null, sales: string | null, averageOrderValue: string | null }> } };


export const WhoAmIDocument = {"__meta__":{"hash":"sha256:173b6a1a8384a0ce87617b9e78d8f43de062a8174c8f9ed8d93a1d9f9900c32b"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WhoAmI"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"purposes"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<WhoAmIQuery, WhoAmIQueryVariables>;
export const MonthlySalesDocument = {"__meta__":{"hash":"sha256:4a893689e09ac5f7621783b39075366ce58950984251401f674dd374689f81af"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MonthlySales"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTimeISO"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTimeISO"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"salesSummary"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"groupBy"},"value":{"kind":"EnumValue","value":"MONTH"}},{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"groups"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"orders"}},{"kind":"Field","name":{"kind":"Name","value":"units"}},{"kind":"Field","name":{"kind":"Name","value":"sales"}},{"kind":"Field","name":{"kind":"Name","value":"averageOrderValue"}}]}},{"kind":"Field","name":{"kind":"Name","value":"suppressedGroups"}}]}}]}}]} as unknown as DocumentNode<MonthlySalesQuery, MonthlySalesQueryVariables>;