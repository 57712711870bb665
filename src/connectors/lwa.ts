// Login with Amazon: access tokens from the stored refresh tokens, cached until a minute before
// they expire. A refresh token Amazon refuses (invalid_grant: revoked, expired or wrong) raises
// RefreshTokenRefused, so the caller can mark the credential stale and alert.
import { createHash } from 'node:crypto';
import { AmazonApiError, type AmazonClient } from './amazon-client';

/** The three stored values an LWA exchange needs, and the credential the refresh token is. */
export interface LwaCredentials {
  partner: string;
  refreshTokenCredentialId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export class RefreshTokenRefused extends Error {
  constructor(
    readonly credentialId: string,
    readonly code: string,
  ) {
    super(`Login with Amazon refused the refresh token (${code})`);
    this.name = 'RefreshTokenRefused';
  }
}

/** Seconds before expiry at which a cached access token is no longer used. */
export const EXPIRY_MARGIN_SECONDS = 60;

export class LwaTokens {
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();

  constructor(
    private readonly client: AmazonClient,
    private readonly now: () => number = Date.now,
  ) {}

  async accessToken(credentials: LwaCredentials): Promise<string> {
    const key = createHash('sha256').update(`${credentials.clientId}\n${credentials.refreshToken}`).digest('hex');
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.token;
    let answer: { access_token?: string; expires_in?: number };
    try {
      const response = await this.client.call({
        api: 'lwa',
        operation: 'lwaToken',
        partner: credentials.partner,
        method: 'POST',
        path: '/auth/o2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.refreshToken, client_id: credentials.clientId, client_secret: credentials.clientSecret }).toString(),
      });
      answer = response.json();
    } catch (error) {
      if (error instanceof AmazonApiError && (error.status === 400 || error.status === 401)) throw new RefreshTokenRefused(credentials.refreshTokenCredentialId, error.code);
      throw error;
    }
    if (!answer.access_token) throw new AmazonApiError('lwaToken', 200, 'NO_TOKEN', 'Login with Amazon answered without an access token');
    const lifetime = Math.max(0, (answer.expires_in ?? 3600) - EXPIRY_MARGIN_SECONDS);
    this.cache.set(key, { token: answer.access_token, expiresAt: this.now() + lifetime * 1000 });
    return answer.access_token;
  }
}
