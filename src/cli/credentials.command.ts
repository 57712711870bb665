// `sellergate credentials set|list|rotate-key|remove`: the encrypted Amazon API credentials. A
// value is read from standard input or a file, never from the command line (arguments are visible
// to every user of the machine in `ps`). Every command is admitted and recorded; every change is a
// user action (actor: the principal running it) in the same transaction as its effect, without the value.
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors';
import { Permission } from '../policy/taxonomy';
import { createCredentialVault, CREDENTIAL_KINDS, isCredentialKind, type AmazonCredentialKind, type CredentialMetadata } from '../security/credentials/vault';
import { output, withAdmission, type CliDeps } from './cli-deps';

const CREDENTIALS = { permission: Permission.MANAGE_CREDENTIALS, what: 'manage Amazon API credentials' } as const;

function kind(value: string): AmazonCredentialKind {
  const upper = value.toUpperCase();
  if (!isCredentialKind(upper)) throw new InvalidArgumentError(`one of ${CREDENTIAL_KINDS.join(', ')}`);
  return upper;
}

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return parsed;
}

/** Where a value comes from when no file is named: standard input. */
export interface CredentialInput {
  /** A terminal gets `prompt` and hidden typing (one line); a pipe is read to its end. */
  readValue(prompt: string): Promise<string>;
}

/** One line from the terminal without echo (raw mode): Enter ends it, Ctrl-C cancels. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new Error('cancelled: nothing stored'));
        value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
      }
    };
    stdin.on('data', onData);
  });
}

const processInput: CredentialInput = {
  async readValue(prompt) {
    if (process.stdin.isTTY) return readHidden(prompt);
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  },
};

function json(credential: CredentialMetadata) {
  return {
    ...credential,
    createdAt: credential.createdAt.toISOString(),
    secretChangedAt: credential.secretChangedAt.toISOString(),
    lastUsedAt: credential.lastUsedAt?.toISOString() ?? null,
  };
}

function line(credential: CredentialMetadata): string {
  return [
    credential.id,
    credential.sellerAccountId.padEnd(14),
    credential.kind.padEnd(17),
    credential.label.padEnd(10),
    `key ${credential.keyId}`.padEnd(12),
    `set ${credential.secretChangedAt.toISOString().slice(0, 10)}`,
    `${credential.ageDays} days`,
    credential.stale ? 'STALE' : '',
  ]
    .join('  ')
    .trimEnd();
}

export function registerCredentialCommands(program: Command, deps: CliDeps, input: CredentialInput = processInput): void {
  const credentials = program
    .command('credentials')
    .description('Amazon API credentials (LWA client id and secret, refresh tokens, Ads profile ids), stored encrypted under CREDENTIAL_KEYS');

  credentials
    .command('set')
    .alias('add')
    .description('Store a credential, or replace the value of the one with the same account, kind and label; the value is read from standard input (or --from-file), never from the command line')
    .requiredOption('--account <sellerId>', 'seller account it belongs to')
    .requiredOption('--kind <kind>', CREDENTIAL_KINDS.join(', '), kind)
    .option('--label <label>', 'tells credentials of one kind apart, e.g. an Ads profile per marketplace', 'default')
    .option('--from-file <path>', 'read the value from this file instead of standard input')
    .option('--json', 'print the stored metadata as JSON')
    .action(async (options: { account: string; kind: AmazonCredentialKind; label: string; fromFile?: string; json?: boolean }) => {
      let secret: string;
      if (options.fromFile) secret = readFileSync(options.fromFile, 'utf8');
      else secret = await input.readValue(`${options.kind} for ${options.account} (not shown): `);
      const vault = createCredentialVault(deps.config());
      const { credential, replaced } = await withAdmission(deps, { name: 'credentials set', kind: 'mutation', permission: CREDENTIALS }, (ctx, db) => {
        if (ctx.scope.accounts && !ctx.scope.accounts.includes(options.account)) {
          throw new GraphQLError("The account is outside this principal's scope", { extensions: { code: ErrorCode.FORBIDDEN } });
        }
        return db.dataSource.transaction((manager) => vault.set(manager, { sellerAccountId: options.account, kind: options.kind, label: options.label, secret, actor: ctx.principal!.id }));
      });
      output(options.json, { ...json(credential), replaced }, () => `${replaced ? 'replaced the value of' : 'stored'} ${credential.kind} ${credential.label} for ${credential.sellerAccountId} as ${credential.id} (key ${credential.keyId})`);
    });

  credentials
    .command('list')
    .description(`Stored credentials: metadata only (never a value); older than CREDENTIAL_MAX_AGE_DAYS flagged STALE`)
    .option('--account <sellerId>', 'only this account\'s')
    .option('--stale', 'only stale ones')
    .option('--json', 'print as JSON')
    .action(async (options: { account?: string; stale?: boolean; json?: boolean }) => {
      const vault = createCredentialVault(deps.config());
      const rows = await withAdmission(deps, { name: 'credentials list', kind: 'query', permission: CREDENTIALS }, async (ctx, db) => {
        return vault.list(db.dataSource.manager, { sellerAccountId: options.account, staleOnly: options.stale }, ctx.scope);
      });
      output(options.json, rows.map(json), () => (rows.length === 0 ? 'no credentials' : rows.map(line).join('\n')));
    });

  credentials
    .command('rotate-key')
    .description('Re-encrypt every credential under the first key of CREDENTIAL_KEYS (batches, one transaction each; run it again to finish an interrupted rotation); then the old key can leave CREDENTIAL_KEYS')
    .option('--batch-size <n>', 'credentials per transaction', positiveInt, 100)
    .option('--json', 'print the result as JSON')
    .action(async (options: { batchSize: number; json?: boolean }) => {
      const vault = createCredentialVault(deps.config());
      const report = await withAdmission(deps, { name: 'credentials rotate-key', kind: 'mutation', permission: CREDENTIALS, operatorOnly: true }, (ctx, db) =>
        vault.rotate(db.dataSource, {
          actor: ctx.principal!.id,
          batchSize: options.batchSize,
          onProgress: (done, total) => process.stderr.write(`re-encrypting: ${done}/${total}\n`),
        }),
      );
      output(options.json, report, () =>
        [
          `current key ${report.currentKeyId}: ${report.reencrypted} re-encrypted, ${report.alreadyCurrent} already under it, ${report.failed.length} failed`,
          ...report.failed.map((failure) => `  ${failure.id} (key ${failure.keyId}): ${failure.reason}`),
        ].join('\n'),
      );
      if (report.failed.length > 0) throw new Error(`${report.failed.length} credential(s) could not be re-encrypted; keep their keys in CREDENTIAL_KEYS or store them again`);
    });

  credentials
    .command('remove <id>')
    .description('Delete a stored credential')
    .action(async (id: string) => {
      const vault = createCredentialVault(deps.config());
      const removed = await withAdmission(deps, { name: 'credentials remove', kind: 'mutation', permission: CREDENTIALS }, (ctx, db) =>
        db.dataSource.transaction((manager) => vault.remove(manager, id, { actor: ctx.principal!.id, scope: ctx.scope })),
      );
      if (!removed) throw new Error(`No credential ${id}`);
      output(false, null, () => `removed ${removed.kind} ${removed.label} of ${removed.sellerAccountId} (${removed.id})`);
    });
}
