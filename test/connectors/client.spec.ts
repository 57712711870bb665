// The HTTP client and Login with Amazon against the stand-in: tokens cached until shortly before
// expiry, a refused refresh token told apart, Retry-After read in both of its forms.
import { AmazonClient, retryAfterMs } from '../../src/connectors/amazon-client';
import { EXPIRY_MARGIN_SECONDS, LwaTokens, RefreshTokenRefused } from '../../src/connectors/lwa';
import type { AmazonStandIn } from './stand-in/amazon-stand-in';
import { DEMO_SELLER, startStandIn } from './support';

let standIn: AmazonStandIn;
let client: AmazonClient;
beforeAll(async () => {
  standIn = await startStandIn();
  client = new AmazonClient({ endpoints: { spApi: standIn.baseUrl, adsApi: `${standIn.baseUrl}/ads`, lwa: standIn.baseUrl }, startingDelayMs: 10 });
});
afterAll(async () => {
  await client.close();
  await standIn.stop();
});

const credentials = { partner: DEMO_SELLER.sellerId, refreshTokenCredentialId: 'c1', clientId: DEMO_SELLER.clientId, clientSecret: DEMO_SELLER.clientSecret, refreshToken: DEMO_SELLER.refreshToken };

test('an access token is reused until a minute before it expires, then exchanged again', async () => {
  let now = 1_000_000;
  const lwa = new LwaTokens(client, () => now);
  const first = await lwa.accessToken(credentials);
  now += (3600 - EXPIRY_MARGIN_SECONDS - 1) * 1000;
  expect(await lwa.accessToken(credentials)).toBe(first);
  expect(standIn.count('lwaToken')).toBe(1);
  now += 2000;
  expect(await lwa.accessToken(credentials)).not.toBe(first);
  expect(standIn.count('lwaToken')).toBe(2);
  // The access token works at the Selling Partner API.
  const answer = await client.call({ api: 'sp', operation: 'getMarketplaceParticipations', partner: credentials.partner, method: 'GET', path: '/sellers/v1/marketplaceParticipations', headers: { 'x-amz-access-token': await lwa.accessToken(credentials) } });
  expect(answer.json<{ payload: { marketplace: { id: string } }[] }>().payload[0].marketplace.id).toBe('ATVPDKIKX0DER');
});

test('a refused refresh token is not retried and names the credential; a wrong client secret likewise', async () => {
  standIn.faults = { refusedRefreshTokens: [DEMO_SELLER.refreshToken] };
  const before = standIn.count('lwaToken');
  await expect(new LwaTokens(client).accessToken(credentials)).rejects.toEqual(expect.objectContaining({ name: 'RefreshTokenRefused', credentialId: 'c1', code: 'invalid_grant' }));
  expect(standIn.count('lwaToken')).toBe(before + 1);
  standIn.faults = {};
  await expect(new LwaTokens(client).accessToken({ ...credentials, clientSecret: 'wrong' })).rejects.toBeInstanceOf(RefreshTokenRefused);
});

test('Retry-After in seconds or as an HTTP date', () => {
  expect(retryAfterMs('2')).toBe(2000);
  expect(retryAfterMs(new Date(Date.UTC(2026, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(10_000);
  expect(retryAfterMs(null)).toBeNull();
  expect(retryAfterMs('soon')).toBeNull();
});
