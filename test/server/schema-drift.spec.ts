import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printGatewaySchema, SCHEMA_FILE } from '../../src/server/emit-schema';
import { buildGatewaySchema } from '../../src/server/schema';

describe('committed schema', () => {
  it(`${SCHEMA_FILE} equals the SDL the code emits (run \`npx sellergate schema emit -o ${SCHEMA_FILE}\`)`, async () => {
    const committed = readFileSync(join(__dirname, '..', '..', SCHEMA_FILE), 'utf8');
    expect(printGatewaySchema(await buildGatewaySchema())).toBe(committed);
  });
});
