// The whole provider flow through Metorial's own generated Node SDK (`@metorial/generated`
// 2.1.0, API version `mt_2026_01_01_magnetar`, over `@metorial/util-endpoint` 2.1.0): providers,
// their auth methods, a service's OAuth app credentials and a user's auth configs.
//
// The assertions describe the live API (2026-01-01-magnetar) as this SDK hands it back. The
// SDK's mappers (`@metorial/util-resource-mapper`) rename the fields they know (snake_case to
// camelCase, timestamps to `Date`) and pass every other field through untouched, under its raw
// name. So where SDK 2.1.0's mappers lag the live shapes, the raw name is what the caller sees:
//   - credentials: `status`, `scopes` (same names) and `is_managed` (not `isManaged`) unmapped;
//   - auth configs: the SDK maps `deployment_preview` (to `deploymentPreview`), the live API
//     sends `deployment` (unmapped, its inner fields snake_case and its dates strings), and
//     `tool_filter` is unmapped.
// Run through `run.sh`, which starts an emulator and sets METORIAL_EMULATOR_URL and
// METORIAL_API_KEY.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
  MetorialProviderDeploymentsAuthConfigsEndpoint,
  MetorialProviderDeploymentsAuthConfigsExportsEndpoint,
  MetorialProviderDeploymentsAuthCredentialsEndpoint,
  MetorialProviderDeploymentsSetupSessionsEndpoint,
  MetorialProvidersAuthMethodsEndpoint,
  MetorialProvidersEndpoint
} from '@metorial/generated/src/mt_2026_01_01_magnetar';
import {
  API_KEY,
  API_VERSION,
  BASE_URL,
  assertDate,
  completeThroughEmulatorOAuth,
  emulatorSdk,
  listAll,
  sdkError
} from './shared.mjs';

// The emulator's fixtures (crates/metorial-emulator/fixtures/default.yaml).
const PROVIDER_ID = 'pro_5gHjKlMnPqRsTuVw';
const PROVIDER_VERSION_ID = `prv_${PROVIDER_ID.slice('pro_'.length)}`;
const DEPLOYMENT_ID = 'pde_1aBcDeFgHjKlMnPq';
const OAUTH_METHOD_ID = 'pam_2mNpQrStUvWxYzAb';
const TOKEN_METHOD_ID = 'pam_7tKnRsWxYzAbCdEf';

/** A tag unique to this run, so reruns against one emulator do not clash. */
const RUN = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

/** An SDK with this file's endpoint classes (`options` as `createMetorial...` takes them). */
const createSdk = options => emulatorSdk(manager => ({
  providers: new MetorialProvidersEndpoint(manager),
  providerAuthMethods: new MetorialProvidersAuthMethodsEndpoint(manager),
  providerAuthCredentials: new MetorialProviderDeploymentsAuthCredentialsEndpoint(manager),
  providerAuthConfigs: new MetorialProviderDeploymentsAuthConfigsEndpoint(manager),
  providerAuthConfigExports: new MetorialProviderDeploymentsAuthConfigsExportsEndpoint(manager),
  providerSetupSessions: new MetorialProviderDeploymentsSetupSessionsEndpoint(manager)
}), options);

const sdk = createSdk();

// ---------------------------------------------------------------------------------------------

/** Every key of a JSON value, at any depth. */
function allKeys(value, keys = new Set()) {
  if (Array.isArray(value)) {
    for (const item of value) allKeys(item, keys);
  } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, inner] of Object.entries(value)) {
      keys.add(key);
      allKeys(inner, keys);
    }
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------

describe('providers: list, get, current version', () => {
  let listed;
  let byId;
  let provider;

  before(async () => {
    listed = await listAll(sdk.providers, { limit: 100 });
    byId = await sdk.providers.list({ id: PROVIDER_ID });
    provider = await sdk.providers.get(PROVIDER_ID);
  });

  it('list returns the fixture provider among mapped providers', () => {
    assert.ok(listed.some(p => p.id === PROVIDER_ID), `${PROVIDER_ID} listed`);
    for (const item of listed) {
      assert.equal(item.object, 'provider');
      assertDate(item.createdAt, `${item.id}.createdAt`);
    }
  });

  it('the id filter returns that provider only', () => {
    assert.deepEqual(byId.items.map(p => p.id), [PROVIDER_ID]);
    assert.equal(byId.pagination.hasMoreAfter, false);
  });

  it('get returns the provider, mapped', () => {
    assert.equal(provider.object, 'provider');
    assert.equal(provider.id, PROVIDER_ID);
    assert.equal(provider.access, 'public');
    assert.equal(provider.status, 'active');
    assert.equal(provider.name, 'GitHub');
    assert.equal(typeof provider.slug, 'string');
    assert.equal(provider.publisher.object, 'provider.publisher');
    assert.equal(typeof provider.publisher.id, 'string');
    assertDate(provider.publisher.createdAt, 'publisher.createdAt');
    assertDate(provider.createdAt, 'createdAt');
    assertDate(provider.updatedAt, 'updatedAt');
    for (const key of ['current_version', 'created_at', 'updated_at']) {
      assert.ok(!(key in provider), `no raw ${key} left`);
    }
  });

  it("current_version (currentVersion) is the provider's one version, prv_ + its id's suffix", () => {
    const version = provider.currentVersion;
    assert.equal(version.object, 'provider.version');
    assert.equal(version.id, PROVIDER_VERSION_ID);
    assert.equal(version.providerId, PROVIDER_ID);
    assert.equal(version.isCurrent, true);
    assertDate(version.createdAt, 'currentVersion.createdAt');
  });

  it('oauth (the provider has an OAuth method): a callback URL, auto-registration unsupported', () => {
    assert.ok(provider.oauth, 'oauth is set');
    assert.equal(provider.oauth.status, 'enabled');
    assert.equal(typeof provider.oauth.callbackUrl, 'string');
    assert.doesNotThrow(() => new URL(provider.oauth.callbackUrl), 'an absolute URL');
    assert.deepEqual(provider.oauth.autoRegistration, { status: 'unsupported' });
  });

  it('get of an unknown provider: 404 naming the entity provider', async () => {
    const error = await sdkError(() => sdk.providers.get('pro_DoesNotExist0000000'));
    assert.equal(error.response.status, 404);
    assert.equal(error.code, 'not_found');
    assert.equal(error.entity, 'provider');
  });
});

describe('provider auth methods: by provider version, get, errors', () => {
  let versionId;
  let listed;
  let tokenMethod;

  before(async () => {
    versionId = (await sdk.providers.get(PROVIDER_ID)).currentVersion.id;
    listed = await listAll(sdk.providerAuthMethods, { providerVersionId: versionId, limit: 100 });
    tokenMethod = await sdk.providerAuthMethods.get(TOKEN_METHOD_ID);
  });

  it("provider_version_id lists the version's auth methods (the provider's)", () => {
    const ids = listed.map(m => m.id);
    assert.ok(ids.includes(OAUTH_METHOD_ID), `${OAUTH_METHOD_ID} listed`);
    assert.ok(ids.includes(TOKEN_METHOD_ID), `${TOKEN_METHOD_ID} listed`);
    for (const method of listed) {
      assert.equal(method.object, 'provider.capabilities.auth_method');
      assert.equal(method.providerId, PROVIDER_ID);
      assertDate(method.createdAt, `${method.id}.createdAt`);
    }
  });

  it("the OAuth method's scopes, mapped", () => {
    const oauth = listed.find(m => m.id === OAUTH_METHOD_ID);
    assert.equal(oauth.type, 'oauth');
    const repo = oauth.scopes.find(s => s.scope === 'repo');
    assert.ok(repo, 'the repo scope');
    assert.equal(repo.object, 'provider.capabilities.auth_method.scope');
    assert.equal(typeof repo.id, 'string');
  });

  it('get returns the token method, its input schema wrapped as json_schema', () => {
    assert.equal(tokenMethod.object, 'provider.capabilities.auth_method');
    assert.equal(tokenMethod.id, TOKEN_METHOD_ID);
    assert.equal(tokenMethod.type, 'token');
    assert.equal(tokenMethod.providerId, PROVIDER_ID);
    assert.equal(tokenMethod.inputSchema.type, 'json_schema');
    assert.deepEqual(tokenMethod.inputSchema.schema.required, ['token']);
    assert.equal(tokenMethod.inputSchema.schema.properties.token.type, 'string');
    assertDate(tokenMethod.createdAt, 'createdAt');
    for (const key of ['input_schema', 'output_schema', 'provider_id', 'created_at']) {
      assert.ok(!(key in tokenMethod), `no raw ${key} left`);
    }
  });

  it('get of an unknown auth method: 404 naming the entity provider_tool (the live label)', async () => {
    const error = await sdkError(() => sdk.providerAuthMethods.get('pam_DoesNotExist0000000'));
    assert.equal(error.response.status, 404);
    assert.equal(error.code, 'not_found');
    assert.equal(error.entity, 'provider_tool');
  });

  it('list without provider_version_id: 400 invalid_data pointing at it', async () => {
    const error = await sdkError(() => sdk.providerAuthMethods.list());
    assert.equal(error.response.status, 400);
    assert.equal(error.code, 'invalid_data');
    assert.ok(
      (error.validationErrors ?? []).some(
        e => Array.isArray(e.path) && e.path.includes('provider_version_id')
      ),
      `a validation error at provider_version_id: ${JSON.stringify(error.validationErrors)}`
    );
  });

  it('list of an unknown provider version: 404 naming the entity provider.version', async () => {
    const error = await sdkError(() =>
      sdk.providerAuthMethods.list({ providerVersionId: 'prv_DoesNotExist0000000' })
    );
    assert.equal(error.response.status, 404);
    assert.equal(error.code, 'not_found');
    assert.equal(error.entity, 'provider.version');
  });
});

describe('provider auth credentials: create, get, update, list, delete', () => {
  const clientId = `node_sdk_client_${RUN}`;
  const clientSecret = `node_sdk_secret_${RUN}`;
  const scopes = ['repo', 'read:user'];
  const body = {
    providerId: PROVIDER_ID,
    name: `Node SDK app ${RUN}`,
    description: 'An OAuth app of the whole-flow test',
    metadata: { suite: 'node-sdk-whole-flow', run: RUN },
    config: { type: 'oauth', clientId, clientSecret, scopes }
  };
  const renamed = `Node SDK app ${RUN} (renamed)`;

  // Every answer's raw body, to check the secret never comes back in any form.
  const answers = [];
  const recordingFetch = async (url, init) => {
    const response = await globalThis.fetch(url, init);
    answers.push({ method: init.method, url: String(url), text: await response.clone().text() });
    return response;
  };
  const recorded = createSdk({ apiKey: API_KEY, apiHost: BASE_URL, fetch: recordingFetch });

  let created;
  let fetched;
  let updated;
  let listed;
  let deleted;
  let afterDelete;

  before(async () => {
    created = await recorded.providerAuthCredentials.create(body);
    fetched = await recorded.providerAuthCredentials.get(created.id);
    // SDK 2.1.0's update body maps name, description and metadata only (the live API also
    // takes client_id, client_secret and scopes).
    updated = await recorded.providerAuthCredentials.update(created.id, { name: renamed });
    listed = await listAll(recorded.providerAuthCredentials, { providerId: PROVIDER_ID, limit: 100 });
    deleted = await recorded.providerAuthCredentials.delete(created.id);
    afterDelete = await recorded.providerAuthCredentials.get(created.id);
  });

  it('create returns the new credentials, mapped', () => {
    assert.equal(created.object, 'provider.auth_credentials');
    assert.match(created.id, /^pcr_/);
    assert.equal(created.type, 'oauth');
    assert.equal(created.isDefault, false);
    assert.equal(created.name, body.name);
    assert.equal(created.description, body.description);
    assert.deepEqual(created.metadata, body.metadata);
    assert.equal(created.providerId, PROVIDER_ID);
    assertDate(created.createdAt, 'createdAt');
    assertDate(created.updatedAt, 'updatedAt');
    for (const key of ['is_default', 'provider_id', 'created_at', 'updated_at']) {
      assert.ok(!(key in created), `no raw ${key} left`);
    }
  });

  it('status, is_managed and scopes: unmapped by SDK 2.1.0, passed through under their raw names', () => {
    for (const credentials of [created, fetched, updated]) {
      assert.equal(credentials.status, 'active');
      assert.equal(credentials.is_managed, false);
      assert.equal(credentials.isManaged, undefined, 'the SDK does not rename is_managed');
      assert.deepEqual(credentials.scopes, scopes);
    }
  });

  it('get returns the same credentials', () => {
    assert.equal(fetched.object, 'provider.auth_credentials');
    assert.equal(fetched.id, created.id);
    assert.equal(fetched.name, body.name);
    assert.deepEqual(fetched.metadata, body.metadata);
    assert.equal(fetched.providerId, PROVIDER_ID);
    assert.equal(fetched.createdAt.getTime(), created.createdAt.getTime());
  });

  it('no answer carries the client ID or secret (mapped objects nor raw bodies)', () => {
    for (const credentials of [created, fetched, updated, deleted, afterDelete, ...listed]) {
      for (const key of ['clientSecret', 'client_secret', 'clientId', 'client_id']) {
        assert.ok(!(key in credentials), `${credentials.id} has no ${key}`);
      }
    }
    assert.ok(answers.length >= 6, `the raw answers were recorded (${answers.length})`);
    for (const answer of answers) {
      const where = `${answer.method} ${answer.url}`;
      assert.ok(!answer.text.includes(clientSecret), `${where}: no client secret`);
      assert.ok(!answer.text.includes(clientId), `${where}: no client ID`);
      const keys = allKeys(JSON.parse(answer.text));
      assert.ok(!keys.has('client_secret'), `${where}: no client_secret field`);
      assert.ok(!keys.has('client_id'), `${where}: no client_id field`);
    }
  });

  it('update renames them, keeping the rest', () => {
    assert.equal(updated.id, created.id);
    assert.equal(updated.name, renamed);
    assert.equal(updated.description, body.description);
    assert.deepEqual(updated.metadata, body.metadata);
    assert.equal(updated.createdAt.getTime(), created.createdAt.getTime());
    assert.ok(updated.updatedAt >= created.updatedAt, 'updatedAt did not go back');
  });

  it("the provider_id filter lists them once, and only that provider's", () => {
    assert.equal(listed.filter(c => c.id === created.id).length, 1, 'listed once');
    for (const item of listed) {
      assert.equal(item.object, 'provider.auth_credentials');
      assert.equal(item.providerId, PROVIDER_ID, `${item.id} is of ${PROVIDER_ID}`);
    }
    assert.equal(listed.find(c => c.id === created.id).name, renamed);
  });

  it('delete archives them (status archived), and get still shows them', () => {
    assert.equal(deleted.object, 'provider.auth_credentials');
    assert.equal(deleted.id, created.id);
    assert.equal(deleted.status, 'archived');
    assert.equal(deleted.isDefault, false);
    assert.equal(deleted.name, renamed);
    assert.equal(afterDelete.id, created.id);
    assert.equal(afterDelete.status, 'archived');
  });

  it('a second delete, or an update, of archived credentials: 410 gone', async () => {
    const again = await sdkError(() => sdk.providerAuthCredentials.delete(created.id));
    assert.equal(again.response.status, 410);
    assert.equal(again.code, 'gone');
    const update = await sdkError(() =>
      sdk.providerAuthCredentials.update(created.id, { name: 'too late' })
    );
    assert.equal(update.response.status, 410);
    assert.equal(update.code, 'gone');
  });
});

describe('provider auth configs: a manual one from the token method, then disconnect', () => {
  const body = {
    providerAuthMethodId: TOKEN_METHOD_ID,
    providerDeploymentId: DEPLOYMENT_ID,
    name: `Node SDK token ${RUN}`,
    description: 'A token config of the whole-flow test',
    metadata: { suite: 'node-sdk-whole-flow', run: RUN },
    value: { token: `node_sdk_token_${RUN}` }
  };
  const renamed = `Node SDK token ${RUN} (renamed)`;

  let created;
  let byProvider;
  let activeBefore;
  let fetched;
  let updated;
  let deleted;
  let afterDelete;
  let archived;
  let activeAfter;

  before(async () => {
    created = await sdk.providerAuthConfigs.create(body);
    byProvider = await listAll(sdk.providerAuthConfigs, { providerId: PROVIDER_ID, limit: 100 });
    activeBefore = await listAll(sdk.providerAuthConfigs, { status: 'active', limit: 100 });
    fetched = await sdk.providerAuthConfigs.get(created.id);
    updated = await sdk.providerAuthConfigs.update(created.id, { name: renamed });
    deleted = await sdk.providerAuthConfigs.delete(created.id);
    afterDelete = await sdk.providerAuthConfigs.get(created.id);
    archived = await listAll(sdk.providerAuthConfigs, { status: ['archived'], limit: 100 });
    activeAfter = await listAll(sdk.providerAuthConfigs, { status: 'active', limit: 100 });
  });

  it('create returns a manual, active config, mapped', () => {
    assert.equal(created.object, 'provider.auth_config');
    assert.match(created.id, /^pac_/);
    assert.equal(created.type, 'manual');
    assert.equal(created.source, 'manual');
    assert.equal(created.status, 'active');
    assert.equal(created.isDefault, false);
    assert.equal(created.providerId, PROVIDER_ID);
    assert.equal(created.name, body.name);
    assert.equal(created.description, body.description);
    assert.deepEqual(created.metadata, body.metadata);
    assert.equal(created.credentials, null);
    assertDate(created.createdAt, 'createdAt');
    assertDate(created.updatedAt, 'updatedAt');
    for (const key of ['is_default', 'provider_id', 'auth_method', 'created_at']) {
      assert.ok(!(key in created), `no raw ${key} left`);
    }
  });

  it('the answer never carries the value (the token)', () => {
    for (const config of [created, fetched, updated, deleted]) {
      assert.ok(!('value' in config), `${config.id} has no value`);
      assert.ok(!JSON.stringify(config).includes(body.value.token), 'the token is not echoed');
    }
  });

  it('auth_method (authMethod) is the full token method, mapped', () => {
    const method = created.authMethod;
    assert.equal(method.object, 'provider.capabilities.auth_method');
    assert.equal(method.id, TOKEN_METHOD_ID);
    assert.equal(method.type, 'token');
    assert.equal(method.providerId, PROVIDER_ID);
    assert.equal(method.inputSchema.type, 'json_schema');
    assertDate(method.createdAt, 'authMethod.createdAt');
  });

  it('deployment: the live name, passed through unmapped (SDK 2.1.0 maps deployment_preview)', () => {
    assert.equal(created.deploymentPreview, undefined, 'no deployment_preview sent');
    const deployment = created.deployment;
    assert.ok(deployment, 'deployment is set');
    assert.equal(deployment.object, 'provider.deployment#preview');
    assert.equal(deployment.id, DEPLOYMENT_ID);
    assert.equal(deployment.provider_id, PROVIDER_ID, 'inner fields keep their raw names');
    assert.equal(typeof deployment.created_at, 'string', 'inner dates stay strings');
  });

  it('tool_filter: passed through unmapped, allow_all', () => {
    assert.deepEqual(created.tool_filter, { type: 'allow_all', ignore_parent_filters: false });
    assert.equal(created.toolFilter, undefined);
  });

  it('the provider_id filter lists it once, and only that provider\'s configs', () => {
    assert.equal(byProvider.filter(c => c.id === created.id).length, 1, 'listed once');
    for (const item of byProvider) {
      assert.equal(item.object, 'provider.auth_config');
      assert.equal(item.providerId, PROVIDER_ID, `${item.id} is of ${PROVIDER_ID}`);
    }
  });

  it("status: 'active' lists it while active, and only active configs", () => {
    assert.ok(activeBefore.some(c => c.id === created.id), 'listed while active');
    for (const item of activeBefore) assert.equal(item.status, 'active', `${item.id} is active`);
  });

  it('get returns the same config', () => {
    assert.equal(fetched.object, 'provider.auth_config');
    assert.equal(fetched.id, created.id);
    assert.equal(fetched.name, body.name);
    assert.deepEqual(fetched.metadata, body.metadata);
    assert.equal(fetched.status, 'active');
    assert.equal(fetched.authMethod.id, TOKEN_METHOD_ID);
    assert.equal(fetched.deployment?.id, DEPLOYMENT_ID);
    assert.equal(fetched.createdAt.getTime(), created.createdAt.getTime());
  });

  it('update renames it, keeping the rest', () => {
    assert.equal(updated.id, created.id);
    assert.equal(updated.name, renamed);
    assert.equal(updated.description, body.description);
    assert.deepEqual(updated.metadata, body.metadata);
    assert.equal(updated.status, 'active');
    assert.ok(updated.updatedAt >= created.updatedAt, 'updatedAt did not go back');
  });

  it('delete archives it (a disconnect); get still shows it', () => {
    assert.equal(deleted.object, 'provider.auth_config');
    assert.equal(deleted.id, created.id);
    assert.equal(deleted.status, 'archived');
    assert.equal(deleted.isDefault, false);
    assert.equal(deleted.name, renamed);
    assert.equal(afterDelete.status, 'archived');
  });

  it("status: ['archived'] lists it after the delete; status: 'active' no longer does", () => {
    assert.ok(archived.some(c => c.id === created.id), 'listed as archived');
    for (const item of archived) assert.equal(item.status, 'archived', `${item.id} is archived`);
    assert.ok(!activeAfter.some(c => c.id === created.id), 'no longer listed as active');
  });

  it('an export of the archived config: 400 use_after_delete', async () => {
    const error = await sdkError(() =>
      sdk.providerAuthConfigExports.create({
        providerAuthConfigId: created.id,
        note: `after delete ${RUN}`
      })
    );
    assert.equal(error.response.status, 400);
    assert.equal(error.code, 'use_after_delete');
  });

  it('a value the method does not accept (no token): 400 invalid_data under value', async () => {
    const error = await sdkError(() =>
      sdk.providerAuthConfigs.create({
        providerAuthMethodId: TOKEN_METHOD_ID,
        name: `Node SDK bad token ${RUN}`,
        value: { api_key: 'not-what-the-method-takes' }
      })
    );
    assert.equal(error.response.status, 400);
    assert.equal(error.code, 'invalid_data');
    assert.ok(
      (error.validationErrors ?? []).some(e => Array.isArray(e.path) && e.path[0] === 'value'),
      `a validation error under value: ${JSON.stringify(error.validationErrors)}`
    );
  });

  it('a config a setup session made (oauth_automated): update is 400 cannot_update_automated_oauth_config', async () => {
    // The fixtures' auth config is `manual`; an automated one comes from a completed session.
    const session = await sdk.providerSetupSessions.create({
      providerId: PROVIDER_ID,
      name: `Node SDK automated ${RUN}`,
      redirectUrl: 'https://app.example.com/oauth/callback'
    });
    const landing = await completeThroughEmulatorOAuth(session.url);
    assert.equal(landing.searchParams.get('status'), 'completed');
    const completed = await sdk.providerSetupSessions.get(session.id);
    const configId = completed.authConfig?.id;
    assert.ok(configId, 'the completed session has an auth config');

    const automated = await sdk.providerAuthConfigs.get(configId);
    assert.equal(automated.type, 'oauth_automated');
    assert.equal(automated.source, 'setup_session');

    const error = await sdkError(() =>
      sdk.providerAuthConfigs.update(configId, { name: 'renamed by hand' })
    );
    assert.equal(error.response.status, 400);
    assert.equal(error.code, 'cannot_update_automated_oauth_config');
  });
});
