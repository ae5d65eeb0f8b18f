// A real OpenID Provider for the test suite (panva/node-oidc-provider, certified), never for
// production. Configured from the environment by tests/oidc/provider.py:
//   OIDC_PORT           port on 127.0.0.1; the issuer is http://127.0.0.1:OIDC_PORT
//   OIDC_CLIENT_ID      the one client (a confidential web client, code flow with PKCE)
//   OIDC_CLIENT_SECRET
//   OIDC_REDIRECT_URIS  JSON list of the client's redirect URIs
// Sign-in uses the package's development interactions: any password; the login typed in is the
// account id and its e-mail address, verified, unless it starts with "unverified:".
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };

function account(id) {
  const unverified = id.startsWith('unverified:');
  const email = unverified ? id.slice('unverified:'.length) : id;
  return {
    accountId: id,
    async claims() {
      return { sub: id, email, email_verified: !unverified, name: email.split('@')[0] };
    },
  };
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: JSON.parse(process.env.OIDC_REDIRECT_URIS),
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  jwks: { keys: [signingKey] },
  features: { devInteractions: { enabled: true } },
  findAccount: (ctx, id) => account(id),
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening at ${issuer}`);
});
