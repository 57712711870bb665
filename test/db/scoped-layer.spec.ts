// Row scope by construction, checked on the source: the reads of category data (resolvers, entity
// references, the planned executor, the sales rollup, retention queries) reach an entity that declares a row scope only
// through the scoped data-access layer (src/db/scoped.ts), and nothing outside src/db places
// row-scope conditions by hand.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AdGroup } from '../../entities/advertising/ad-group.entity';
import { Keyword } from '../../entities/advertising/keyword.entity';
import { ProductAd } from '../../entities/advertising/product-ad.entity';
import { ProductTarget } from '../../entities/advertising/product-target.entity';
import { Campaign } from '../../entities/advertising/campaign.entity';
import { AdDailyMetric } from '../../entities/advertising/ad-daily-metric.entity';
import { SCOPE_DECLARATIONS } from '../../src/db/scope-declarations';
import { scopeDeclarationOf } from '../../src/db/scoped';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Where category data is read on behalf of a request. */
const READ_PATHS = [
  ...sources(join(ROOT, 'resolvers')),
  ...sources(join(ROOT, 'src', 'federation')),
  // The planned executor's statements (root rows through the services, nested lists as subqueries).
  ...sources(join(ROOT, 'src', 'execution')),
  join(ROOT, 'src', 'retention', 'sales-rollup.ts'),
  join(ROOT, 'src', 'retention', 'retention-query.service.ts'),
];

describe('the scoped data-access layer', () => {
  const declared = new Set<string>([
    ...[...SCOPE_DECLARATIONS.keys()].map((entity) => (entity as { name: string }).name),
    ...[Campaign, AdGroup, Keyword, ProductAd, ProductTarget, AdDailyMetric].map((entity) => entity.name),
  ]);

  it('declares the scope of every advertising row through the class they extend', () => {
    for (const entity of [Campaign, AdGroup, Keyword, ProductAd, ProductTarget, AdDailyMetric]) expect(scopeDeclarationOf(entity)).toMatchObject({ kind: 'row' });
  });

  it('reads scoped entities on behalf of a request only through the layer', () => {
    const offences: string[] = [];
    for (const file of READ_PATHS) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:getRepository|createQueryBuilder|find(?:One)?By|from)\(\s*([A-Z]\w+)/g)) {
        if (declared.has(match[1])) offences.push(`${relative(ROOT, file)}: ${match[0]}`);
      }
      if (text.includes('rawTable(') && !text.includes('scopeConditions(')) offences.push(`${relative(ROOT, file)}: a prebuilt statement without scopeConditions`);
    }
    expect(offences).toEqual([]);
  });

  it('places no row-scope condition by hand outside src/db', () => {
    const hand = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'resolvers'))]
      .filter((file) => !relative(ROOT, file).startsWith(join('src', 'db')))
      .flatMap((file) => (readFileSync(file, 'utf8').match(/\b(applyRowScope|rowScopeConditions)\(/g) ?? []).map((call) => `${relative(ROOT, file)}: ${call}`));
    expect(hand).toEqual([]);
  });
});
