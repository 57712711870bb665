// `sellergate policy show|explain|apply|history`: the access policy in force, why a decision is
// what it is, and changing the policy at runtime (every gateway process switches within a second).
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { explainAccess } from '../policy/explain';
import { fieldRegistry } from '../policy/field-registry';
import { readPolicyDocument } from '../policy/load-policy';
import { GRANTED_SENSITIVITIES, PolicyValidationError } from '../policy/policy';
import { applyPolicy, baselinePolicy, describeOrigin, policyChanges, policyDocument, policyHistory, policyInForce, type PolicyInForce } from '../policy/policy-store';
import { isPurpose, Sensitivity } from '../policy/taxonomy';
import { output, withAdmission, withDatabase, type CliDeps } from './cli-deps';

// Loaded when a change is published: most commands never need the feed's clients (Redis, pg).
const changeFeed = () => require('../server/change-feed') as typeof import('../server/change-feed');
// Built only by the commands that decide fields (explain), not by `policy show`.
const gatewaySchema = () => (require('../server/schema') as typeof import('../server/schema')).buildGatewaySchema();

/**
 * The policy in force for the read-only commands. When the database cannot be opened (e.g. the
 * embedded one while the gateway runs on it) they show the configured policy, saying so.
 */
async function policyForReading(deps: CliDeps): Promise<PolicyInForce & { warning?: string }> {
  try {
    return await withDatabase(deps, (db) => policyInForce(db.dataSource.manager, deps.config()));
  } catch (error) {
    if (error instanceof PolicyValidationError) throw error;
    const warning = `the database could not be opened (${error instanceof Error ? error.message : String(error)}): showing the configured policy; a policy applied with \`policy apply\` takes precedence over it`;
    process.stderr.write(`sellergate: ${warning}\n`);
    return { ...baselinePolicy(deps.config()), warning };
  }
}

function positive(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('a positive whole number');
  return parsed;
}

export function registerPolicyCommands(program: Command, deps: CliDeps): void {
  const policyCommand = program
    .command('policy')
    .description('The access policy: show it, explain a decision, apply a new one to every gateway process, list the applied ones');

  policyCommand
    .command('show')
    .description('Print the policy in force (the newest applied, else POLICY_FILE, else the default), its version and where it comes from')
    .option('--json', 'print as JSON (the policy, plus `source`)')
    .option('--document', 'print the policy document only (JSON, a starting point for `policy apply`)')
    .action(async (options: { json?: boolean; document?: boolean }) => {
      const { policy, origin, warning } = await policyForReading(deps);
      if (options.document) {
        process.stdout.write(`${JSON.stringify(policyDocument(policy), null, 2)}\n`);
        return;
      }
      output(options.json, { ...policy, source: origin, ...(warning ? { warning } : {}) }, () => {
        const lines = [`policy version ${policy.version}`, `source: ${describeOrigin(origin)}${warning ? ' (database not opened)' : ''}`, `aggregates: k = ${policy.aggregates.k}`, '', 'categories:'];
        for (const [category, purposes] of Object.entries(policy.categories)) lines.push(`  ${category.padEnd(18)} ${purposes.join(', ')}`);
        lines.push('', `roles (grant per purpose: ${GRANTED_SENSITIVITIES.join(' / ')}; ${Sensitivity.PUBLIC} is always readable):`);
        for (const [name, role] of Object.entries(policy.roles)) {
          lines.push(`  ${name}${role.description ? ` - ${role.description}` : ''}`);
          if (role.permissions.length) lines.push(`    permissions: ${role.permissions.join(', ')}`);
          if (role.purposes.length === 0) lines.push('    purposes: none (reads no data)');
          for (const purpose of role.purposes) {
            const grant = role.grants[purpose]!;
            lines.push(`    ${purpose.padEnd(24)} ${GRANTED_SENSITIVITIES.map((s) => grant[s]).join(' / ')}`);
          }
        }
        lines.push('', 'derivations (the parts are decided at least as strictly as the value):');
        for (const derivation of policy.derivations) lines.push(`  ${derivation.protects} <- ${derivation.from.join(', ')}`);
        if (policy.derivations.length === 0) lines.push('  none');
        lines.push('', `deletion: separation of duties ${policy.deletion.separationOfDuties ? 'on' : 'off'}`);
        return lines.join('\n');
      });
    });

  policyCommand
    .command('explain <coordinate>')
    .description('Explain the decision of the policy in force for a role, a purpose and a field (Type.field)')
    .requiredOption('--role <role>', 'role of the policy')
    .requiredOption('--purpose <purpose>', 'declared purpose')
    .option('--json', 'print as JSON')
    .action(async (coordinate: string, options: { role: string; purpose: string; json?: boolean }) => {
      if (!isPurpose(options.purpose)) throw new Error(`Unknown purpose ${options.purpose}`);
      const { policy } = await policyForReading(deps);
      const explanation = explainAccess(policy, fieldRegistry(await gatewaySchema()), options.role, options.purpose, coordinate);
      output(options.json, explanation, () =>
        [
          `${explanation.coordinate}${explanation.category ? ` (${explanation.category}, ${explanation.sensitivity})` : ''}`,
          `role ${explanation.role}, purpose ${explanation.purpose}: ${explanation.effect.toUpperCase()}${explanation.mask ? ` (${explanation.mask})` : ''}`,
          `rule: ${explanation.rule} (${explanation.source})`,
          `why: ${explanation.reason}`,
          `policy version ${explanation.policyVersion}`,
        ].join('\n'),
      );
    });

  policyCommand
    .command('apply <file>')
    .description(
      'Validate a policy file (same rules as POLICY_FILE) and put it in force on every gateway process (within a second, no restart); ' +
        'it takes precedence over POLICY_FILE and the default. A version label may name one content only',
    )
    .option('--dry-run', 'validate and list what would change; store nothing')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { json?: boolean; dryRun?: boolean }) => {
      const settings = deps.config();
      const path = resolve(file);
      let document: unknown;
      try {
        document = readPolicyDocument(path);
      } catch (error) {
        throw refused(error);
      }
      // Putting a policy in force is the database holder's act: the local operator only.
      const spec = { name: options.dryRun ? 'policy apply --dry-run' : 'policy apply', kind: options.dryRun ? 'query' : 'mutation', operatorOnly: true } as const;
      const result = await withAdmission(deps, spec, async (ctx, db) => {
        let applied;
        try {
          applied = await applyPolicy(db.dataSource, document, { appliedBy: ctx.principal!.id, source: path, baseline: baselinePolicy(settings), dryRun: options.dryRun });
        } catch (error) {
          throw refused(error);
        }
        if (applied.status === 'applied') {
          // Every gateway process reloads at once; a missed event is caught by their POLICY_POLL_MS poll.
          const feed = changeFeed().createChangeFeed({ config: settings, dataSource: db.dataSource });
          await feed.publish({ kind: 'policy-changed', id: applied.revision!.id });
          await feed.stop();
        }
        return applied;
      });
      const summary = {
        status: result.status,
        version: result.policy.version,
        previousVersion: result.previous.version,
        revision: result.status === 'applied' && result.revision ? String(result.revision.id) : null,
        changes: result.status === 'unchanged' ? [] : policyChanges(result.previous, result.policy),
      };
      output(options.json, summary, () => {
        if (result.status === 'unchanged') return `Policy version ${summary.version} is already in force; nothing changed.`;
        const head =
          result.status === 'applied'
            ? `Applied policy version ${summary.version} (revision ${summary.revision}); was ${summary.previousVersion}. Every gateway process switches to it within a second.`
            : `Valid: policy version ${summary.version} would replace ${summary.previousVersion} (dry run, nothing stored).`;
        const changes = summary.changes.length ? ['Changes:', ...summary.changes.map((change) => `  ${change}`)] : ['No change in roles, grants, categories or k (descriptions only).'];
        return [head, ...changes].join('\n');
      });
    });

  policyCommand
    .command('history')
    .description('The policies applied with `policy apply`, newest (in force) first')
    .option('--limit <n>', 'how many (default 20)', positive)
    .option('--json', 'print as JSON')
    .action(async (options: { limit?: number; json?: boolean }) => {
      const revisions = await withAdmission(deps, { name: 'policy history', kind: 'query' }, (_ctx, db) => policyHistory(db.dataSource.manager, options.limit ?? 20));
      const rows = revisions.map((revision, index) => ({
        revision: String(revision.id),
        version: revision.version,
        sha256: revision.sha256,
        appliedBy: revision.appliedBy,
        appliedAt: revision.appliedAt.toISOString(),
        source: revision.source,
        inForce: index === 0,
      }));
      output(options.json, rows, () =>
        rows.length === 0
          ? `No policy applied with \`policy apply\`: in force is ${describeOrigin(baselinePolicy(deps.config()).origin)}.`
          : rows
              .map((row) => `${row.inForce ? '*' : ' '} ${row.revision.padStart(4)}  ${row.version.padEnd(32)} ${row.appliedAt}  ${row.appliedBy}${row.source ? `  ${row.source}` : ''}`)
              .join('\n'),
      );
    });
}

/** A refused apply: the reasons, and that nothing changed. */
function refused(error: unknown): Error {
  if (error instanceof PolicyValidationError) return new Error(`${error.message}. Nothing was changed.`);
  if (error instanceof Error && error.name === 'PolicyConflictError') return new Error(`${error.message}. Nothing was changed.`);
  return error instanceof Error ? error : new Error(String(error));
}
