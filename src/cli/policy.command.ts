// `sellergate policy show|explain`: the access policy in force, and why a decision is what it is.
import type { Command } from 'commander';
import { explainAccess } from '../policy/explain';
import { fieldRegistry } from '../policy/field-registry';
import { loadPolicy } from '../policy/load-policy';
import { GRANTED_SENSITIVITIES } from '../policy/policy';
import { isPurpose, Sensitivity } from '../policy/taxonomy';
import { buildGatewaySchema } from '../server/schema';
import { output, type CliDeps } from './cli-deps';

export function registerPolicyCommands(program: Command, deps: CliDeps): void {
  const policyCommand = program.command('policy').description('The access policy: show it, explain a decision');

  policyCommand
    .command('show')
    .description('Print the policy in force (POLICY_FILE or the default) and its version')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) => {
      const policy = loadPolicy(deps.config());
      output(options.json, policy, () => {
        const lines = [`policy version ${policy.version}`, `aggregates: k = ${policy.aggregates.k}`, '', 'categories:'];
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
        return lines.join('\n');
      });
    });

  policyCommand
    .command('explain <coordinate>')
    .description('Explain the decision for a role, a purpose and a field (Type.field)')
    .requiredOption('--role <role>', 'role of the policy')
    .requiredOption('--purpose <purpose>', 'declared purpose')
    .option('--json', 'print as JSON')
    .action(async (coordinate: string, options: { role: string; purpose: string; json?: boolean }) => {
      const policy = loadPolicy(deps.config());
      if (!isPurpose(options.purpose)) throw new Error(`Unknown purpose ${options.purpose}`);
      const explanation = explainAccess(policy, fieldRegistry(await buildGatewaySchema()), options.role, options.purpose, coordinate);
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
}
