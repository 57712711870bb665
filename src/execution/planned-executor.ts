// The planned executor: answers the operations it can plan with one SQL statement per root field
// (called by the admission plugin before Apollo Server would execute, `plannedExecution`), and
// leaves every other operation to Apollo Server's graphql-js execution unchanged (graphql-shield,
// masks and resolvers).
//
// A plan is made once per governed schema (one per policy: a policy change builds a new schema,
// and with it new plans), operation and principal shape (role, purpose, the token's purposes and
// categories, partner flag: everything `decide` and the permission rules look at), and cached.
// An operation is plannable only when it is a query of root fields declared in
// src/execution/declarations.ts, selecting columns and declared nested lists, with no directive
// and no argument the service does not take, and when `decide` allows every selected coordinate
// in full (no mask, no deny, no k threshold) for that principal shape. So the plan serves only
// shapes the policy fully allows; wherever a decision can deny or mask, the shield and the masks
// stay the enforcement point.
//
// Per request, the plan reads the rows through the same service calls as the resolvers (filters,
// row scope from the scoped data layer, keyset pagination, the read replica), with the nested
// lists as correlated json subqueries scoped by the same declarations, converts values with the
// same hydration and the schema's own scalar and enum serializers, and counts rows as the
// resolvers and their DataLoaders do. A selected `totalCount` is the connection's own lazy count
// (a second statement, as graphql-js runs it). Anything unexpected (a value that does not fit, a
// bad argument, a database error) discards what the plan read and leaves the operation to
// graphql-js instead, so answers and errors are the ones that path gives.
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  visit,
  BREAK,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { collectFields, collectSubfields } from 'graphql/execution/collectFields';
import { types as pgTypes } from 'pg';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { Principal } from '../auth/principal';
import { nestedRequestContext, type RequestContext } from '../context';
import { rawTable, SqlConditions } from '../db/raw-rows';
import { scopeConditions } from '../db/scoped';
import { decide, DecisionRule } from '../policy/decide';
import { fieldRegistry, type FieldRegistry } from '../policy/field-registry';
import type { Policy } from '../policy/policy';
import type { Category } from '../policy/taxonomy';
import { ROOTS, TYPES, type ConnectionRoot, type ExtraColumns, type LookupRoot, type RelationDeclaration, type Row } from './declarations';

/** How a column travels inside a json subquery and comes back as the value the driver would give. */
interface ColumnCodec {
  property: string;
  sql(column: string): string;
  decode(value: unknown): unknown;
}

interface LeafOutput {
  kind: 'leaf';
  key: string;
  property: string;
  type: GraphQLLeafType;
  nonNull: boolean;
}
interface TypenameOutput {
  kind: 'typename';
  key: string;
  name: string;
}
interface RelationOutput {
  kind: 'relation';
  key: string;
  /** Index of the relation in its object's `relations`. */
  index: number;
}
type ObjectOutput = LeafOutput | TypenameOutput | RelationOutput;

interface ObjectPlan {
  entity: EntityTarget<ObjectLiteral>;
  outputs: ObjectOutput[];
  /** Columns read for nested rows (leaves and the keys of their own nested lists). */
  columns: ColumnCodec[];
  relations: RelationPlan[];
}

interface RelationPlan {
  declaration: RelationDeclaration;
  object: ObjectPlan;
}

type EdgeOutput = TypenameOutput | { kind: 'cursor'; key: string; type: GraphQLLeafType } | { kind: 'node'; key: string; object: ObjectPlan };
type PageInfoOutput = TypenameOutput | { kind: 'info'; key: string; property: 'hasNextPage' | 'hasPreviousPage' | 'startCursor' | 'endCursor'; type: GraphQLLeafType; nonNull: boolean };
type ConnectionOutput =
  | TypenameOutput
  | { kind: 'nodes'; key: string; object: ObjectPlan }
  | { kind: 'edges'; key: string; outputs: EdgeOutput[] }
  | { kind: 'pageInfo'; key: string; outputs: PageInfoOutput[] }
  | { kind: 'totalCount'; key: string; type: GraphQLLeafType; nonNull: boolean };

interface FieldRoot {
  key: string;
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
}
type RootPlan =
  | TypenameOutput
  | (FieldRoot & { kind: 'connection'; declaration: ConnectionRoot; outputs: ConnectionOutput[]; objects: ObjectPlan[] })
  | (FieldRoot & { kind: 'lookup'; declaration: LookupRoot; object: ObjectPlan; nonNull: boolean });

interface Plan {
  roots: RootPlan[];
}

/** Plans made, operations answered by a plan, and operations run by graphql-js (not plannable, or fallen back). */
export const plannedExecutionCounts = { plans: 0, planned: 0, notPlannable: 0, fellBack: 0 };

/** Thrown where the plan meets something it does not answer exactly as graphql-js would. */
class NotPlannable extends Error {}

const RELATION_COLUMN = '__planned_r';
const PLANS_PER_OPERATION = 32;

// ---------------------------------------------------------------------------------------------
// Columns inside json subqueries

const NATIVE_JSON_TYPES = new Set(['character varying', 'varchar', 'text', 'character', 'char', 'uuid', 'integer', 'int', 'int4', 'smallint', 'int2', 'boolean', 'bool', 'json', 'jsonb']);
/** Types whose json form differs from the driver's value: sent as their text output and parsed by the driver's own parser. */
const TEXT_TYPE_OIDS: Record<string, number> = {
  bigint: 20,
  int8: 20,
  numeric: 1700,
  decimal: 1700,
  'timestamp with time zone': 1184,
  timestamptz: 1184,
  'timestamp without time zone': 1114,
  timestamp: 1114,
  date: 1082,
};

const codecs = new WeakMap<object, Map<unknown, Map<string, ColumnCodec | null>>>();

function columnCodec(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>, property: string): ColumnCodec | null {
  let byEntity = codecs.get(dataSource.driver);
  if (!byEntity) codecs.set(dataSource.driver, (byEntity = new Map()));
  let byProperty = byEntity.get(entity);
  if (!byProperty) byEntity.set(entity, (byProperty = new Map()));
  if (byProperty.has(property)) return byProperty.get(property)!;
  const column = dataSource.getMetadata(entity).columns.find((candidate: ColumnMetadata) => candidate.propertyName === property);
  let codec: ColumnCodec | null = null;
  if (column && column.isSelect && !column.isVirtual && !column.embeddedMetadata && !column.transformer && !column.isArray) {
    const type = String(dataSource.driver.normalizeType(column)).toLowerCase();
    if (NATIVE_JSON_TYPES.has(type)) codec = { property, sql: (sql) => sql, decode: (value) => value };
    const oid = TEXT_TYPE_OIDS[type];
    if (oid !== undefined) {
      const parse = pgTypes.getTypeParser(oid, 'text') as (text: string) => unknown;
      codec = { property, sql: (sql) => `${sql}::text`, decode: (value) => (value === null ? null : parse(value as string)) };
    }
  }
  byProperty.set(property, codec);
  return codec;
}

// ---------------------------------------------------------------------------------------------
// Planning

interface Planning {
  schema: GraphQLSchema;
  registry: FieldRegistry;
  policy: Policy;
  principal: Principal;
  purpose: RequestContext['purpose'];
  fragments: Record<string, FragmentDefinitionNode>;
  dataSource: DataSource;
}

/** Whether `decide` allows the coordinate in full; structural fields (connections, page info) are allowed by the shield. */
function allowedInFull(planning: Planning, coordinate: string): boolean {
  const field = planning.registry.fields.get(coordinate);
  if (field) {
    const decision = decide(planning.policy, planning.principal, planning.purpose, field, planning.registry.fields);
    return decision.effect === 'allow' && decision.rule !== DecisionRule.AGGREGATE_THRESHOLD && decision.mask === undefined;
  }
  return !planning.registry.operations.has(coordinate);
}

function fieldOf(planning: Planning, type: GraphQLObjectType, nodes: readonly FieldNode[]): GraphQLField<unknown, unknown> {
  const name = nodes[0].name.value;
  const field = type.getFields()[name];
  if (!field || !allowedInFull(planning, `${type.name}.${name}`)) throw new NotPlannable();
  return field;
}

const noArguments = (nodes: readonly FieldNode[]) => nodes.every((node) => !node.arguments?.length);

function leafOf(field: GraphQLField<unknown, unknown>): { type: GraphQLLeafType; nonNull: boolean } {
  const nullable = getNullableType(field.type);
  if (isListType(nullable) || !isLeafType(nullable)) throw new NotPlannable();
  return { type: nullable, nonNull: isNonNullType(field.type) };
}

function objectPlan(planning: Planning, typeName: string, nodes: readonly FieldNode[]): ObjectPlan {
  const declaration = TYPES[typeName];
  const type = planning.schema.getType(typeName);
  if (!declaration || !isObjectType(type)) throw new NotPlannable();
  const plan: ObjectPlan = { entity: declaration.entity, outputs: [], columns: [], relations: [] };
  const addColumn = (property: string) => {
    if (plan.columns.some((column) => column.property === property)) return;
    const codec = columnCodec(planning.dataSource, declaration.entity, property);
    if (!codec) throw new NotPlannable();
    plan.columns.push(codec);
  };
  for (const [key, fieldNodes] of collectSubfields(planning.schema, planning.fragments, {}, type, nodes)) {
    const name = fieldNodes[0].name.value;
    if (name === '__typename') {
      plan.outputs.push({ kind: 'typename', key, name: type.name });
      continue;
    }
    if (!noArguments(fieldNodes)) throw new NotPlannable();
    const field = fieldOf(planning, type, fieldNodes);
    const relation = declaration.relations[name];
    if (relation) {
      const listType = getNullableType(field.type);
      if (!isListType(listType) || !isNonNullType(listType.ofType) || getNamedType(field.type).name !== relation.type || !isNonNullType(field.type)) throw new NotPlannable();
      addColumn(relation.parentKey);
      plan.relations.push({ declaration: relation, object: objectPlan(planning, relation.type, fieldNodes) });
      plan.outputs.push({ kind: 'relation', key, index: plan.relations.length - 1 });
      continue;
    }
    addColumn(name);
    plan.outputs.push({ kind: 'leaf', key, property: name, ...leafOf(field) });
  }
  return plan;
}

function connectionOutputs(planning: Planning, declaration: ConnectionRoot, type: GraphQLObjectType, nodes: readonly FieldNode[], objects: ObjectPlan[]): ConnectionOutput[] {
  const outputs: ConnectionOutput[] = [];
  const nodeObject = (fieldType: GraphQLField<unknown, unknown>['type'], fieldNodes: readonly FieldNode[]) => {
    if (getNamedType(fieldType).name !== declaration.type) throw new NotPlannable();
    const object = objectPlan(planning, declaration.type, fieldNodes);
    objects.push(object);
    return object;
  };
  for (const [key, fieldNodes] of collectSubfields(planning.schema, planning.fragments, {}, type, nodes)) {
    const name = fieldNodes[0].name.value;
    if (name === '__typename') {
      outputs.push({ kind: 'typename', key, name: type.name });
      continue;
    }
    if (!noArguments(fieldNodes)) throw new NotPlannable();
    const field = fieldOf(planning, type, fieldNodes);
    if (name === 'nodes') {
      outputs.push({ kind: 'nodes', key, object: nodeObject(field.type, fieldNodes) });
    } else if (name === 'edges') {
      const edgeType = getNamedType(field.type);
      if (!isObjectType(edgeType)) throw new NotPlannable();
      const edgeOutputs: EdgeOutput[] = [];
      for (const [edgeKey, edgeNodes] of collectSubfields(planning.schema, planning.fragments, {}, edgeType, fieldNodes)) {
        const edgeName = edgeNodes[0].name.value;
        if (edgeName === '__typename') {
          edgeOutputs.push({ kind: 'typename', key: edgeKey, name: edgeType.name });
          continue;
        }
        if (!noArguments(edgeNodes)) throw new NotPlannable();
        const edgeField = fieldOf(planning, edgeType, edgeNodes);
        if (edgeName === 'cursor') edgeOutputs.push({ kind: 'cursor', key: edgeKey, type: leafOf(edgeField).type });
        else if (edgeName === 'node') edgeOutputs.push({ kind: 'node', key: edgeKey, object: nodeObject(edgeField.type, edgeNodes) });
        else throw new NotPlannable();
      }
      outputs.push({ kind: 'edges', key, outputs: edgeOutputs });
    } else if (name === 'pageInfo') {
      const infoType = getNamedType(field.type);
      if (!isObjectType(infoType)) throw new NotPlannable();
      const infoOutputs: PageInfoOutput[] = [];
      for (const [infoKey, infoNodes] of collectSubfields(planning.schema, planning.fragments, {}, infoType, fieldNodes)) {
        const infoName = infoNodes[0].name.value;
        if (infoName === '__typename') {
          infoOutputs.push({ kind: 'typename', key: infoKey, name: infoType.name });
          continue;
        }
        if (!noArguments(infoNodes)) throw new NotPlannable();
        const infoField = fieldOf(planning, infoType, infoNodes);
        if (infoName !== 'hasNextPage' && infoName !== 'hasPreviousPage' && infoName !== 'startCursor' && infoName !== 'endCursor') throw new NotPlannable();
        infoOutputs.push({ kind: 'info', key: infoKey, property: infoName, ...leafOf(infoField) });
      }
      outputs.push({ kind: 'pageInfo', key, outputs: infoOutputs });
    } else if (name === 'totalCount') {
      // The connection's own lazy count (the same statement, filters and row scope as graphql-js awaits).
      outputs.push({ kind: 'totalCount', key, ...leafOf(field) });
    } else {
      // Anything else: graphql-js.
      throw new NotPlannable();
    }
  }
  return outputs;
}

function hasDirectives(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive() {
      found = true;
      return BREAK;
    },
  });
  return found;
}

function buildPlan(planning: Planning, document: DocumentNode, operation: OperationDefinitionNode): Plan | null {
  if (operation.operation !== 'query' || hasDirectives(document)) return null;
  const queryType = planning.schema.getQueryType();
  if (!queryType) return null;
  try {
    const roots: RootPlan[] = [];
    for (const [key, nodes] of collectFields(planning.schema, planning.fragments, {}, queryType, operation.selectionSet)) {
      const name = nodes[0].name.value;
      if (name === '__typename') {
        roots.push({ kind: 'typename', key, name: queryType.name });
        continue;
      }
      const declaration = ROOTS[name];
      if (!declaration) return null;
      const field = fieldOf(planning, queryType, nodes);
      if (nodes.some((node) => node.arguments?.some((argument) => !declaration.args.includes(argument.name.value)))) return null;
      const type = getNamedType(field.type);
      if (declaration.kind === 'connection') {
        if (!isObjectType(type)) return null;
        const objects: ObjectPlan[] = [];
        const outputs = connectionOutputs(planning, declaration, type, nodes, objects);
        roots.push({ kind: 'connection', key, field, node: nodes[0], declaration, outputs, objects });
      } else {
        if (type.name !== declaration.type) return null;
        roots.push({ kind: 'lookup', key, field, node: nodes[0], declaration, object: objectPlan(planning, declaration.type, nodes), nonNull: isNonNullType(field.type) });
      }
    }
    return { roots };
  } catch {
    // NotPlannable, or anything the planner did not foresee: graphql-js answers.
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Execution

/** Rows of each DataLoader the resolvers would use, by key: counted once per distinct key, as they do. */
type Loads = Map<string, { category: Category; rows: Map<unknown, number> }>;

function noteLoad(loads: Loads, name: string, category: Category, key: unknown, rows: number): void {
  let load = loads.get(name);
  if (!load) loads.set(name, (load = { category, rows: new Map() }));
  if (!load.rows.has(key)) load.rows.set(key, rows);
}

interface Statement {
  ctx: RequestContext;
  dataSource: DataSource;
  aliases: number;
}

/** The correlated json subquery of a nested list, scoped by the scoped data layer's declarations. */
function relationSql(statement: Statement, relation: RelationPlan, parentKey: string, params: unknown[]): string {
  const { declaration, object } = relation;
  const alias = `p${(statement.aliases += 1)}`;
  const child = rawTable(statement.dataSource, declaration.entity, alias);
  const where = new SqlConditions(params);
  let from = child.from;
  const childKey = child.column(declaration.childKey as never);
  if (declaration.scopedThrough) {
    const through = rawTable(statement.dataSource, declaration.scopedThrough.entity, `p${(statement.aliases += 1)}`);
    // The parent's table is joined only when the principal's scope limits its rows: for a principal
    // not limited in scope the join would only cost PostgreSQL work (the child's rows are those of
    // the parent row already). The conditions share the statement's parameters, numbered in order.
    const scope = scopeConditions(new SqlConditions(params), statement.ctx, declaration.scopedThrough.entity, through);
    if (scope.conditions.length > 0) {
      from += ` INNER JOIN ${through.from} ON ${through.column(declaration.scopedThrough.property as never)} = ${childKey}`;
      for (const condition of scope.conditions) where.and(condition);
    }
  } else {
    scopeConditions(where, statement.ctx, declaration.entity, child);
  }
  where.and(`${childKey} = ${parentKey}`);
  const values = [
    ...object.columns.map((column) => column.sql(child.column(column.property as never))),
    ...object.relations.map((nested) => relationSql(statement, nested, child.column(nested.declaration.parentKey as never), params)),
  ];
  const order = declaration.orderBy.map((property) => `${child.column(property as never)} ASC`).join(', ');
  return `(SELECT COALESCE(json_agg(json_build_array(${values.join(', ')}) ORDER BY ${order}), '[]'::json) FROM ${from}${where.where()})`;
}

/** `, (subquery) AS "__planned_r0", ...` for the nested lists of the root rows (read under `alias`). */
function rootColumns(statement: Statement, entity: EntityTarget<ObjectLiteral>, alias: string, objects: ObjectPlan[]): ExtraColumns {
  const columns = (where: SqlConditions): string => {
    const parent = rawTable(statement.dataSource, entity, alias);
    let sql = '';
    let index = 0;
    for (const object of objects) {
      for (const relation of object.relations) {
        sql += `, ${relationSql(statement, relation, parent.column(relation.declaration.parentKey as never), where.params)} AS "${RELATION_COLUMN}${index}"`;
        index += 1;
      }
    }
    return sql;
  };
  // A page reads only the properties the plan answers from (leaves and the keys of nested lists).
  return Object.assign(columns, { only: propertiesRead(objects) });
}

// The properties a root's objects read, listed once per plan (`objects` belongs to its plan).
const readByObjects = new WeakMap<ObjectPlan[], readonly string[]>();

function propertiesRead(objects: ObjectPlan[]): readonly string[] {
  let properties = readByObjects.get(objects);
  if (!properties) readByObjects.set(objects, (properties = [...new Set(objects.flatMap((object) => object.columns.map((column) => column.property)))]));
  return properties;
}

/** Nested rows of a json subquery, converted as the driver and entity hydration convert them. */
function decodeRows(dataSource: DataSource, relation: RelationPlan, value: unknown): Row[] {
  if (!Array.isArray(value)) throw new NotPlannable();
  const { object } = relation;
  const table = rawTable(dataSource, object.entity, 'nested');
  return value.map((element: unknown[]) => {
    const row: Row = {};
    for (let i = 0; i < object.columns.length; i += 1) row[object.columns[i].property] = object.columns[i].decode(element[i]);
    table.hydrate(row);
    for (let j = 0; j < object.relations.length; j += 1) row[`${RELATION_COLUMN}${j}`] = decodeRows(dataSource, object.relations[j], element[object.columns.length + j]);
    return row;
  });
}

function serializeLeaf(type: GraphQLLeafType, nonNull: boolean, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (nonNull) throw new NotPlannable();
    return null;
  }
  const serialized = type.serialize(value);
  if (serialized === null || serialized === undefined) throw new NotPlannable();
  return serialized;
}

/** The GraphQL answer of one object; nested rows are taken from `nested(index)`. */
function answerObject(plan: ObjectPlan, row: Row, nested: (index: number) => Row[], loads: Loads): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const output of plan.outputs) {
    if (output.kind === 'typename') result[output.key] = output.name;
    else if (output.kind === 'leaf') result[output.key] = serializeLeaf(output.type, output.nonNull, row[output.property]);
    else {
      const relation = plan.relations[output.index];
      const rows = nested(output.index);
      const { declaration } = relation;
      noteLoad(loads, declaration.loader, declaration.category, row[declaration.parentKey], rows.length);
      result[output.key] = rows.map((child) => answerObject(relation.object, child, (index) => child[`${RELATION_COLUMN}${index}`] as Row[], loads));
    }
  }
  return result;
}

/** Nested rows of a root row (each relation column is read by one output only). */
function rootNested(dataSource: DataSource, object: ObjectPlan, offset: number, row: Row): (index: number) => Row[] {
  return (index) => decodeRows(dataSource, object.relations[index], row[`${RELATION_COLUMN}${offset + index}`]);
}

async function runRoot(root: RootPlan, ctx: RequestContext, variables: Record<string, unknown>, loads: Loads): Promise<unknown> {
  if (root.kind === 'typename') return root.name;
  const args = getArgumentValues(root.field, root.node, variables);
  const dataSource = ctx.reads.connection;
  const statement: Statement = { ctx, dataSource, aliases: 0 };
  if (root.kind === 'lookup') {
    const row = await root.declaration.lookup(ctx, args, rootColumns(statement, root.declaration.entity, root.declaration.alias, [root.object]));
    const loader = root.declaration.loader;
    if (loader) noteLoad(loads, loader.name, loader.category, args[loader.key], row ? 1 : 0);
    if (!row) {
      if (root.nonNull) throw new NotPlannable();
      return null;
    }
    return answerObject(root.object, row, rootNested(dataSource, root.object, 0, row), loads);
  }
  const page = await root.declaration.page(ctx, args, rootColumns(statement, root.declaration.entity, root.declaration.alias, root.objects));
  const offsets = new Map<ObjectPlan, number>();
  let offset = 0;
  for (const object of root.objects) {
    offsets.set(object, offset);
    offset += object.relations.length;
  }
  const answer = (object: ObjectPlan, row: Row) => answerObject(object, row, rootNested(dataSource, object, offsets.get(object)!, row), loads);
  const result: Record<string, unknown> = {};
  for (const output of root.outputs) {
    if (output.kind === 'typename') result[output.key] = output.name;
    else if (output.kind === 'nodes') result[output.key] = page.nodes.map((row) => answer(output.object, row));
    else if (output.kind === 'edges') {
      result[output.key] = page.edges.map((edge) => {
        const item: Record<string, unknown> = {};
        for (const edgeOutput of output.outputs) {
          if (edgeOutput.kind === 'typename') item[edgeOutput.key] = edgeOutput.name;
          else if (edgeOutput.kind === 'cursor') item[edgeOutput.key] = serializeLeaf(edgeOutput.type, true, edge.cursor);
          else item[edgeOutput.key] = answer(edgeOutput.object, edge.node);
        }
        return item;
      });
    } else if (output.kind === 'totalCount') {
      result[output.key] = serializeLeaf(output.type, output.nonNull, await page.totalCount);
    } else {
      const info: Record<string, unknown> = {};
      for (const infoOutput of output.outputs) {
        if (infoOutput.kind === 'typename') info[infoOutput.key] = infoOutput.name;
        else info[infoOutput.key] = serializeLeaf(infoOutput.type, infoOutput.nonNull, page.pageInfo[infoOutput.property]);
      }
      result[output.key] = info;
    }
  }
  return result;
}

async function runPlan(plan: Plan, ctx: RequestContext, schema: GraphQLSchema, operation: OperationDefinitionNode, rawVariables: Record<string, unknown> | undefined): Promise<PlannedAnswer> {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) throw new NotPlannable();
  // What the plan reads is counted on a context of its own, merged only when it answered.
  const own = nestedRequestContext(ctx);
  const loads: Loads = new Map();
  const values = await Promise.all(plan.roots.map((root) => runRoot(root, own, coerced.coerced, loads)));
  const data: Record<string, unknown> = {};
  plan.roots.forEach((root, index) => {
    data[root.key] = values[index];
  });
  for (const [category, rows] of Object.entries(own.governance.rowsByCategory)) ctx.governance.countRows(category as Category, rows ?? 0);
  for (const { category, rows } of loads.values()) {
    let total = 0;
    for (const count of rows.values()) total += count;
    ctx.governance.countRows(category, total);
  }
  return { data };
}

// ---------------------------------------------------------------------------------------------
// Plan cache and the executor

const plans = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, Map<string, Plan | null>>>();

function shapeOf(principal: Principal, purpose: RequestContext['purpose']): string {
  return JSON.stringify([principal.role, purpose, principal.purposes, principal.categories, principal.partner]);
}

function planFor(schema: GraphQLSchema, policy: Policy, document: DocumentNode, operation: OperationDefinitionNode, ctx: RequestContext): Plan | null {
  const principal = ctx.principal;
  // Plans are decided under one purpose; an operation whose root fields name their own
  // (`@purpose`, src/policy/root-purpose.ts) runs through graphql-js, field by field.
  if (!principal || ctx.rootPurposes) return null;
  let byOperation = plans.get(schema);
  if (!byOperation) plans.set(schema, (byOperation = new WeakMap()));
  let byShape = byOperation.get(operation);
  if (!byShape) byOperation.set(operation, (byShape = new Map()));
  const shape = shapeOf(principal, ctx.purpose);
  if (byShape.has(shape)) {
    const plan = byShape.get(shape)!;
    // Most recently used last: the oldest shape goes first when the operation holds too many.
    byShape.delete(shape);
    byShape.set(shape, plan);
    return plan;
  }
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const plan = buildPlan({ schema, registry: fieldRegistry(schema), policy, principal, purpose: ctx.purpose, fragments, dataSource: ctx.reads.connection }, document, operation);
  plannedExecutionCounts.plans += 1;
  byShape.set(shape, plan);
  if (byShape.size > PLANS_PER_OPERATION) byShape.delete(byShape.keys().next().value as string);
  return plan;
}

export interface PlannedExecutionOptions {
  /** The policy a schema served by the gateway was governed by (no plan for a schema it does not know). */
  policyOf(schema: GraphQLSchema): Policy | undefined;
}

/** An operation Apollo Server resolved, admitted and checked, about to be executed. */
export interface PlannedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown> | undefined;
  ctx: RequestContext;
}

/** The answer of an operation from its plan, or null: then graphql-js runs it, as Apollo Server does. */
export type PlannedExecution = (operation: PlannedOperation) => Promise<PlannedAnswer | null>;

/** A plan's answer: data only (anything that would be an error leaves the operation to graphql-js). */
export interface PlannedAnswer {
  data: Record<string, unknown>;
}

/**
 * Answers the operations that have a plan. Called by the admission plugin's `responseForOperation`
 * (src/admission/graphql-admission.plugin.ts), after the operation's checks: an operation without a
 * plan, or whose plan could not serve it, is left to Apollo Server's own execution (graphql-js,
 * graphql-shield, masks and resolvers), so its answers and errors are the ones that path gives.
 *
 * Not an executor behind Apollo Server's gateway interface: for each operation that interface
 * builds a request context whose `response.http` is an object literal with accessors, and on
 * Node 20 such an object keeps everything it refers to (the whole request and its answer) alive
 * through young-generation collections until a full one (docs/benchmarks.md, "Young-generation
 * garbage"). List query: 6.4 KB promoted per request that way, 0.5 KB without.
 */
export function plannedExecution(options: PlannedExecutionOptions): PlannedExecution {
  return async ({ schema, document, operation, variables, ctx }) => {
    const policy = options.policyOf(schema);
    const plan = policy ? planFor(schema, policy, document, operation, ctx) : null;
    if (!plan) {
      plannedExecutionCounts.notPlannable += 1;
      return null;
    }
    try {
      const result = await runPlan(plan, ctx, schema, operation, variables);
      plannedExecutionCounts.planned += 1;
      return result;
    } catch {
      plannedExecutionCounts.fellBack += 1;
      return null;
    }
  };
}
