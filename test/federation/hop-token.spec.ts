// Keys and binding of the per-hop tokens: production refuses to run on the public demo key pair,
// keys come as PEM (one-line values with `\n` too), only Ed25519 is accepted, and the body hash is
// the same for the document and variables however their JSON is laid out.
import { generateKeyPairSync } from 'node:crypto';
import { federationKeys, hopBodyHash, signInternalContext, verifyInternalContext } from '../../src/federation/internal-context';
import { MemoryReplayCache } from '../../src/federation/replay-cache';

describe('hop token keys and binding', () => {
  it('refuses to start federated production without keys, and uses the demo pair elsewhere', () => {
    expect(() => federationKeys({ NODE_ENV: 'production' })).toThrow(/FEDERATION_SIGNING_KEY/);
    expect(federationKeys({ NODE_ENV: 'development' }).demo).toBe(true);
  });

  it('reads PEM keys (one-line values with \\n), derives the public key from the private one, and accepts Ed25519 only', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const signing = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '\\n');
    const gateway = federationKeys({ NODE_ENV: 'production', FEDERATION_SIGNING_KEY: signing });
    const subgraph = federationKeys({ NODE_ENV: 'production', FEDERATION_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    expect({ gateway: gateway.demo, subgraph: subgraph.demo, subgraphSigns: subgraph.signingKey }).toEqual({ gateway: false, subgraph: false, subgraphSigns: null });
    const bodyHash = hopBodyHash('{ a }', { b: 1 });
    const token = await signInternalContext({ requestId: 'r', principal: null, purpose: null, policyVersion: 'v', clientDocumentHash: null }, { audience: 'orders', bodyHash }, gateway.signingKey!);
    await expect(verifyInternalContext(token, { audience: 'orders', bodyHash }, subgraph.publicKey, new MemoryReplayCache())).resolves.toMatchObject({ requestId: 'r', audience: 'orders' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => federationKeys({ NODE_ENV: 'production', FEDERATION_SIGNING_KEY: rsa })).toThrow(/Ed25519/);
  });

  it('binds the document and variables, not their layout', () => {
    expect(hopBodyHash('{ a }', { x: 1, y: [1, 2] })).toBe(hopBodyHash('{ a }', JSON.parse('{"y":[1,2],"x":1}')));
    expect(hopBodyHash('{ a }', {})).toBe(hopBodyHash('{ a }', undefined));
    expect(hopBodyHash('{ a }', { x: 1 })).not.toBe(hopBodyHash('{ a }', { x: 2 }));
    expect(hopBodyHash('{ a }', null)).not.toBe(hopBodyHash('{ a  }', null));
  });
});
