import { decide, DecisionRule, type DecisionField } from '../../src/policy/decide';
import { defaultPolicy } from '../../src/policy/default-policy';
import { Category, MaskKind, Purpose, Sensitivity } from '../../src/policy/taxonomy';

const policy = defaultPolicy();
const field = (category: Category, sensitivity: Sensitivity, extra: Partial<DecisionField> = {}): DecisionField => ({
  coordinate: `T.${sensitivity.toLowerCase()}`,
  category,
  sensitivity,
  ...extra,
});

describe('decide', () => {
  it('allows PUBLIC fields under any purpose, even one outside the category', () => {
    const decision = decide(policy, { role: 'ads_manager' }, Purpose.ADVERTISING_MANAGEMENT, field(Category.CATALOG, Sensitivity.PUBLIC));
    expect(decision).toMatchObject({ effect: 'allow', rule: DecisionRule.PUBLIC });
  });

  it('denies when the purpose is not one of the category purposes', () => {
    const decision = decide(policy, { role: 'finance' }, Purpose.ACCOUNTING, field(Category.ORDERS, Sensitivity.INTERNAL));
    expect(decision).toMatchObject({ effect: 'deny', rule: DecisionRule.PURPOSE_OUTSIDE_CATEGORY, source: 'categories.ORDERS' });
  });

  it('gives INTERNAL in full wherever the purpose passes the category check', () => {
    for (const [role, definition] of Object.entries(policy.roles)) {
      for (const purpose of definition.purposes) {
        const category = Object.values(Category).find((c) => policy.categories[c].includes(purpose))!;
        expect(decide(policy, { role }, purpose, field(category, Sensitivity.INTERNAL)).effect).toBe('allow');
      }
    }
  });

  it('follows the DESIGN.md table for operations: identifiers full only under AFTER_SALES', () => {
    const id = field(Category.ORDERS, Sensitivity.IDENTIFIER, { mask: MaskKind.LAST4 });
    expect(decide(policy, { role: 'operations' }, Purpose.AFTER_SALES, id)).toMatchObject({ effect: 'allow', rule: DecisionRule.ROLE_GRANT });
    expect(decide(policy, { role: 'operations' }, Purpose.OPERATIONAL_REPORTING, id)).toMatchObject({
      effect: 'mask',
      mask: MaskKind.LAST4,
      source: 'roles.operations.grants.OPERATIONAL_REPORTING.IDENTIFIER',
    });
    const personal = field(Category.ORDERS, Sensitivity.PERSONAL, { mask: MaskKind.REDACT });
    expect(decide(policy, { role: 'operations' }, Purpose.AFTER_SALES, personal).effect).toBe('allow');
    expect(decide(policy, { role: 'operations' }, Purpose.INVENTORY_PLANNING, personal).effect).toBe('deny');
  });

  it('denies a masked grant on a field without a mask', () => {
    const decision = decide(policy, { role: 'analyst' }, Purpose.OPERATIONAL_REPORTING, field(Category.ORDERS, Sensitivity.CONFIDENTIAL));
    expect(decision).toMatchObject({ effect: 'deny', rule: DecisionRule.MASK_MISSING, grant: 'masked' });
  });

  it('releases aggregate measures under a masked grant only with the k threshold', () => {
    const measure = field(Category.ORDERS, Sensitivity.CONFIDENTIAL, { aggregate: true, mask: MaskKind.ROUND });
    expect(decide(policy, { role: 'analyst' }, Purpose.OPERATIONAL_REPORTING, measure)).toMatchObject({
      effect: 'allow',
      rule: DecisionRule.AGGREGATE_THRESHOLD,
      minGroupSize: 5,
      mask: MaskKind.ROUND,
    });
    expect(decide(policy, { role: 'finance' }, Purpose.OPERATIONAL_REPORTING, measure)).toMatchObject({ effect: 'allow', rule: DecisionRule.ROLE_GRANT });
  });

  it('denies purposes the role or the token may not declare, and unknown roles', () => {
    const spend = field(Category.ADVERTISING, Sensitivity.CONFIDENTIAL, { mask: MaskKind.ROUND });
    expect(decide(policy, { role: 'analyst' }, Purpose.ADVERTISING_MANAGEMENT, spend).rule).toBe(DecisionRule.PURPOSE_NOT_GRANTED);
    expect(decide(policy, { role: 'nobody' }, Purpose.ADVERTISING_MANAGEMENT, spend).rule).toBe(DecisionRule.UNKNOWN_ROLE);
    const token = { role: 'operations', purposes: [Purpose.INVENTORY_PLANNING] };
    expect(decide(policy, token, Purpose.AFTER_SALES, field(Category.ORDERS, Sensitivity.INTERNAL)).rule).toBe(DecisionRule.PURPOSE_NOT_GRANTED);
    expect(decide(policy, null, Purpose.AFTER_SALES, field(Category.ORDERS, Sensitivity.INTERNAL)).effect).toBe('deny');
    expect(decide(policy, { role: 'operations' }, null, field(Category.ORDERS, Sensitivity.INTERNAL)).rule).toBe(DecisionRule.NO_PURPOSE);
  });

  it('lets a token category scope narrow, never widen', () => {
    const token = { role: 'operations', purposes: [Purpose.OPERATIONS_MANAGEMENT], categories: [Category.ORDERS] };
    const stock = field(Category.INVENTORY_FINANCE, Sensitivity.INTERNAL);
    expect(decide(policy, token, Purpose.OPERATIONS_MANAGEMENT, stock)).toMatchObject({ effect: 'deny', rule: DecisionRule.TOKEN_CATEGORY_SCOPE });
    const wider = { role: 'analyst', purposes: [Purpose.AFTER_SALES], categories: null };
    expect(decide(policy, wider, Purpose.AFTER_SALES, field(Category.ORDERS, Sensitivity.INTERNAL)).effect).toBe('deny');
  });

  it('is pure: the same inputs give the same decision', () => {
    const id = field(Category.SYSTEM_LOGS, Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM });
    expect(decide(policy, { role: 'security' }, Purpose.AUDIT, id)).toEqual(decide(policy, { role: 'security' }, Purpose.AUDIT, id));
  });
});

describe('decide with a field narrowing its purposes', () => {
  it('admits only the declared purposes of the category', () => {
    const archive = { coordinate: 'Query.archive', category: Category.SYSTEM_LOGS, sensitivity: Sensitivity.INTERNAL, purposes: [Purpose.AUDIT] };
    expect(decide(policy, { role: 'security' }, Purpose.AUDIT, archive).effect).toBe('allow');
    expect(decide(policy, { role: 'security' }, Purpose.SECURITY, archive)).toMatchObject({ effect: 'deny', rule: DecisionRule.PURPOSE_OUTSIDE_CATEGORY });
  });
});
