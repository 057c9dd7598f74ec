// Metorial's own generated Node SDK (`@metorial/generated` 2.1.0, API version
// `mt_2026_01_01_magnetar`, over `@metorial/util-endpoint` 2.1.0) driving the emulator.
//
// The assertions describe the live API as Metorial's SDK types and public server code show it,
// not whatever the emulator happens to answer today. Run through `run.sh`, which starts an
// emulator and sets METORIAL_EMULATOR_URL and METORIAL_API_KEY.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
  MetorialProviderDeploymentsAuthConfigsExportsEndpoint,
  MetorialProviderDeploymentsSetupSessionsEndpoint
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

// The emulator's fixtures (crates/metorial-emulator/fixtures/default.yaml): the docs' IDs.
const PROVIDER_ID = 'pro_5gHjKlMnPqRsTuVw';
const DEPLOYMENT_ID = 'pde_1aBcDeFgHjKlMnPq';
const AUTH_METHOD_ID = 'pam_2mNpQrStUvWxYzAb';
const CREDENTIALS_ID = 'par_4sTuVwXyZaBcDeFg';
const AUTH_CONFIG_ID = 'pac_8pQrStUvWxYzAbCd';

// The enumerations of the SDK's output types (index.d.ts of mt_2026_01_01_magnetar).
const SESSION_TYPES = ['auth_only', 'config_only', 'auth_and_config'];
const SESSION_STATUSES = ['failed', 'archived', 'deleted', 'pending', 'completed', 'expired'];
const AUTH_CONFIG_TYPES = ['manual', 'oauth_automated', 'oauth_manual'];

/** An SDK with this file's endpoint classes (`options` as `createMetorial...` takes them). */
const createSdk = options => emulatorSdk(manager => ({
  providerSetupSessions: new MetorialProviderDeploymentsSetupSessionsEndpoint(manager),
  providerAuthConfigExports: new MetorialProviderDeploymentsAuthConfigsExportsEndpoint(manager)
}), options);

const sdk = createSdk();

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------

describe('the SDK set-up', () => {
  it('sends Authorization: Bearer <key>, Metorial-Version and a JSON body', async () => {
    const seen = [];
    const recordingFetch = (url, init) => {
      seen.push({ url: String(url), method: init.method, headers: new Headers(init.headers) });
      return globalThis.fetch(url, init);
    };
    const recorded = createSdk({ apiKey: API_KEY, apiHost: BASE_URL, fetch: recordingFetch });
    const session = await recorded.providerSetupSessions.create({ providerId: PROVIDER_ID });
    await recorded.providerSetupSessions.get(session.id);

    assert.equal(seen.length, 2);
    const [post, get] = seen;
    assert.equal(post.method, 'POST');
    assert.equal(post.url, `${BASE_URL}/provider-setup-sessions`);
    assert.equal(get.method, 'GET');
    assert.equal(get.url, `${BASE_URL}/provider-setup-sessions/${session.id}`);
    for (const request of seen) {
      assert.equal(request.headers.get('authorization'), `Bearer ${API_KEY}`);
      assert.equal(request.headers.get('metorial-version'), API_VERSION);
    }
    assert.equal(post.headers.get('content-type'), 'application/json');
  });
});

describe('scenario 1: create a setup session, then get it', () => {
  const body = {
    providerId: PROVIDER_ID,
    name: 'GitHub for the Node SDK test',
    metadata: { suite: 'node-sdk', attempt: 1, nested: { ok: true } },
    redirectUrl: 'https://app.example.com/oauth/callback'
  };
  let created;
  let fetched;

  before(async () => {
    created = await sdk.providerSetupSessions.create(body);
    fetched = await sdk.providerSetupSessions.get(created.id);
  });

  it('create returns the new pending session, mapped', () => {
    assert.equal(created.object, 'provider.setup_session');
    assert.equal(typeof created.id, 'string');
    assert.ok(created.id.length > 0);
    assert.equal(created.name, body.name);
    assert.deepEqual(created.metadata, body.metadata);
    assert.equal(created.redirectUrl, body.redirectUrl);
    assert.equal(created.providerId, PROVIDER_ID);
    assert.equal(created.status, 'pending');
    assert.equal(typeof created.url, 'string');
    assert.doesNotThrow(() => new URL(created.url), 'url is an absolute URL');
    assert.equal(created.authMethod?.id, AUTH_METHOD_ID);
    assertDate(created.createdAt, 'createdAt');
    assertDate(created.updatedAt, 'updatedAt');
    assertDate(created.expiresAt, 'expiresAt');
    assert.ok(created.expiresAt > created.createdAt, 'expiresAt is after createdAt');
    // The mapper renamed every snake_case field.
    for (const key of ['provider_id', 'redirect_url', 'created_at', 'ui_mode', 'auth_method']) {
      assert.ok(!(key in created), `no raw ${key} left`);
    }
  });

  it('get returns the same session', () => {
    assert.equal(fetched.object, 'provider.setup_session');
    assert.equal(fetched.id, created.id);
    assert.equal(fetched.name, body.name);
    assert.deepEqual(fetched.metadata, body.metadata);
    assert.equal(fetched.status, 'pending');
    assert.equal(fetched.url, created.url);
    assert.equal(fetched.redirectUrl, body.redirectUrl);
    assert.equal(fetched.providerId, PROVIDER_ID);
    assertDate(fetched.createdAt, 'createdAt');
    assertDate(fetched.updatedAt, 'updatedAt');
    assertDate(fetched.expiresAt, 'expiresAt');
    assert.equal(fetched.createdAt.getTime(), created.createdAt.getTime());
    assert.equal(fetched.expiresAt.getTime(), created.expiresAt.getTime());
  });

  it(`type is one of the SDK's session types (${SESSION_TYPES.join(', ')})`, () => {
    assert.ok(SESSION_TYPES.includes(created.type), `created.type = ${JSON.stringify(created.type)}`);
    assert.ok(SESSION_TYPES.includes(fetched.type), `fetched.type = ${JSON.stringify(fetched.type)}`);
  });

  it('ui_mode is metorial_elements', () => {
    assert.equal(created.uiMode, 'metorial_elements');
    assert.equal(fetched.uiMode, 'metorial_elements');
  });

  it("name defaults to 'Setup Session'", async () => {
    const unnamed = await sdk.providerSetupSessions.create({ providerId: PROVIDER_ID });
    assert.equal(unnamed.name, 'Setup Session');
  });
});

describe('scenario 2: list setup sessions with filters and paging', () => {
  const tag = `list-${Date.now()}`;
  const created = [];
  let completed = null;
  let completedError = null;

  /** The completed session; fails the calling test if the OAuth flow did not complete it. */
  const completedSession = () => {
    if (!completed) assert.fail(`no completed session to filter on: ${completedError}`);
    return completed;
  };

  before(async () => {
    for (let i = 0; i < 5; i += 1) {
      created.push(
        await sdk.providerSetupSessions.create({
          providerId: PROVIDER_ID,
          name: `paging ${i}`,
          metadata: { tag, index: i }
        })
      );
    }
    // One completed session (through the emulator's auto-approved OAuth flow), so the status
    // filters have something to tell apart. Its failure fails only the tests that need it.
    try {
      const session = await sdk.providerSetupSessions.create({
        providerId: PROVIDER_ID,
        name: 'completed one',
        metadata: { tag, completed: true },
        redirectUrl: 'https://app.example.com/oauth/callback'
      });
      const landing = await completeThroughEmulatorOAuth(session.url);
      assert.equal(landing.searchParams.get('setup_session_id'), session.id);
      assert.equal(landing.searchParams.get('status'), 'completed');
      const after = await sdk.providerSetupSessions.get(session.id);
      assert.equal(after.status, 'completed');
      completed = after;
    } catch (error) {
      completedError = error;
    }
  });

  it('walks forward with limit 2 and after = last id, seeing every session once', async () => {
    const seen = new Map();
    let after;
    let pages = 0;
    for (;;) {
      const page = await sdk.providerSetupSessions.list({ limit: 2, ...(after ? { after } : {}) });
      pages += 1;
      assert.ok(page.items.length <= 2, `page ${pages} has at most 2 items`);
      for (const item of page.items) {
        assert.equal(item.object, 'provider.setup_session');
        assertDate(item.createdAt, `${item.id}.createdAt`);
        seen.set(item.id, (seen.get(item.id) ?? 0) + 1);
      }
      assert.equal(typeof page.pagination.hasMoreAfter, 'boolean');
      assert.equal(typeof page.pagination.hasMoreBefore, 'boolean');
      assert.equal(page.pagination.hasMoreBefore, pages > 1, `hasMoreBefore on page ${pages}`);
      if (!page.pagination.hasMoreAfter) break;
      after = page.items[page.items.length - 1].id;
      assert.ok(pages < 500, 'the walk ends');
    }
    assert.ok(pages >= 3, `5+ sessions at 2 a page take 3+ pages (took ${pages})`);
    for (const [id, count] of seen) assert.equal(count, 1, `${id} seen ${count} times`);
    for (const session of [...created, ...(completed ? [completed] : [])]) {
      assert.equal(seen.get(session.id), 1, `${session.id} seen exactly once`);
    }
    // Ordered by creation (time-sortable IDs, ascending by default).
    const order = [...seen.keys()];
    const positions = created.map(s => order.indexOf(s.id));
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b), 'creation order');
  });

  it("status: 'pending' returns only pending sessions, all of ours but the completed one", async () => {
    const items = await listAll(sdk.providerSetupSessions, { status: 'pending', limit: 100 });
    for (const item of items) assert.equal(item.status, 'pending', `${item.id} is pending`);
    const ids = new Set(items.map(item => item.id));
    for (const session of created) assert.ok(ids.has(session.id), `${session.id} listed`);
    assert.ok(!ids.has(completedSession().id), 'the completed session is not listed');
  });

  it("status: ['completed'] (an array, sent as status[0]=completed) returns only completed sessions", async () => {
    const items = await listAll(sdk.providerSetupSessions, { status: ['completed'], limit: 100 });
    for (const item of items) {
      assert.equal(item.status, 'completed', `${item.id} has status ${item.status}`);
    }
    assert.ok(
      items.some(item => item.id === completedSession().id),
      'the completed session is listed'
    );
  });

  it('id: one string returns that session only', async () => {
    const page = await sdk.providerSetupSessions.list({ id: created[2].id });
    assert.deepEqual(page.items.map(item => item.id), [created[2].id]);
    assert.equal(page.pagination.hasMoreAfter, false);
  });

  it('id: an array of two (sent as id[0]=..&id[1]=..) returns exactly those two', async () => {
    const wanted = [created[1].id, created[3].id];
    const page = await sdk.providerSetupSessions.list({ id: wanted, limit: 100 });
    assert.deepEqual(page.items.map(item => item.id).sort(), [...wanted].sort());
    assert.equal(page.pagination.hasMoreAfter, false);
  });
});

describe('scenario 3: update a setup session, then delete it', () => {
  let original;
  let updated;
  let refetched;
  let deleted;

  before(async () => {
    original = await sdk.providerSetupSessions.create({
      providerId: PROVIDER_ID,
      name: 'before the update',
      metadata: { stage: 'created' }
    });
    updated = await sdk.providerSetupSessions.update(original.id, {
      name: 'after the update',
      metadata: { stage: 'updated', by: 'node-sdk' }
    });
    refetched = await sdk.providerSetupSessions.get(original.id);
    deleted = await sdk.providerSetupSessions.delete(original.id);
  });

  it('update returns the session with the new name and metadata', () => {
    assert.equal(updated.object, 'provider.setup_session');
    assert.equal(updated.id, original.id);
    assert.equal(updated.name, 'after the update');
    assert.deepEqual(updated.metadata, { stage: 'updated', by: 'node-sdk' });
    assert.equal(updated.description, original.description);
    assert.equal(updated.status, 'pending');
    assert.equal(updated.url, original.url);
    assertDate(updated.updatedAt, 'updatedAt');
    assert.equal(updated.createdAt.getTime(), original.createdAt.getTime());
    assert.ok(updated.updatedAt >= original.updatedAt, 'updatedAt did not go back');
  });

  it('get after the update shows the new name and metadata', () => {
    assert.equal(refetched.id, original.id);
    assert.equal(refetched.name, 'after the update');
    assert.deepEqual(refetched.metadata, { stage: 'updated', by: 'node-sdk' });
  });

  it('delete returns the session', () => {
    assert.equal(deleted.object, 'provider.setup_session');
    assert.equal(deleted.id, original.id);
    assert.equal(deleted.name, 'after the update');
    assert.deepEqual(deleted.metadata, { stage: 'updated', by: 'node-sdk' });
    assert.equal(deleted.providerId, PROVIDER_ID);
    // The live controller answers with the session as it was (`pending`); the SDK's type also
    // allows `deleted`.
    assert.ok(
      ['pending', 'deleted'].includes(deleted.status),
      `status = ${JSON.stringify(deleted.status)}`
    );
    assert.ok(SESSION_STATUSES.includes(deleted.status));
    assertDate(deleted.createdAt, 'createdAt');
    assertDate(deleted.updatedAt, 'updatedAt');
  });
});

describe('scenario 4: export an auth config, get it, list exports', () => {
  const note = `node-sdk export ${Date.now()}`;
  const metadata = { requested_by: 'node-sdk-test', reason: 'sync' };
  let created;
  let fetched;
  let listed;

  before(async () => {
    created = await sdk.providerAuthConfigExports.create({
      providerAuthConfigId: AUTH_CONFIG_ID,
      note,
      metadata
    });
    fetched = await sdk.providerAuthConfigExports.get(created.id);
    listed = await listAll(sdk.providerAuthConfigExports, {
      providerAuthConfigId: AUTH_CONFIG_ID,
      limit: 100
    });
  });

  it('create returns the export with its value', () => {
    assert.equal(created.object, 'provider.auth_export');
    assert.equal(typeof created.id, 'string');
    assert.equal(created.note, note);
    assert.deepEqual(created.metadata, metadata);
    assert.equal(created.providerId, PROVIDER_ID);
    assert.equal(created.providerDeploymentId, DEPLOYMENT_ID);
    assert.equal(created.authMethodId, AUTH_METHOD_ID);
    assert.equal(created.credentialsId, CREDENTIALS_ID);
    assert.ok(created.ip === null || typeof created.ip === 'string');
    assert.ok(created.userAgent === null || typeof created.userAgent === 'string');
    assertDate(created.createdAt, 'createdAt');
    assert.ok(created.expiresAt === null || created.expiresAt instanceof Date, 'expiresAt');

    assert.equal(typeof created.value, 'object');
    assert.ok(created.value !== null && !Array.isArray(created.value), 'value is an object');
    assert.equal(typeof created.value.access_token, 'string');
    assert.ok(created.value.access_token.length > 0);

    const config = created.authConfig;
    assert.equal(config.object, 'provider.auth_config');
    assert.equal(config.id, AUTH_CONFIG_ID);
    assert.equal(config.providerId, PROVIDER_ID);
    assert.ok(AUTH_CONFIG_TYPES.includes(config.type), `authConfig.type = ${config.type}`);
    assert.equal(config.status, 'active');
    assert.equal(config.authMethod.id, AUTH_METHOD_ID);
    assert.equal(config.credentials?.id, CREDENTIALS_ID);
    assertDate(config.createdAt, 'authConfig.createdAt');
  });

  it("the auth config's deployment is the fixture's", () => {
    // SDK 2.1.0 types it as `deployment_preview` (mapped to `deploymentPreview`); the live API
    // sends `deployment` (passed through unmapped by the SDK). Either carries the deployment.
    const config = created.authConfig;
    const deployment = config.deploymentPreview ?? config.deployment;
    assert.ok(deployment, 'authConfig has deploymentPreview or deployment');
    assert.equal(deployment.id, DEPLOYMENT_ID);
    assert.equal(deployment.object, 'provider.deployment#preview');
  });

  it('get returns the same export', () => {
    assert.equal(fetched.object, 'provider.auth_export');
    assert.equal(fetched.id, created.id);
    assert.equal(fetched.note, note);
    assert.deepEqual(fetched.metadata, metadata);
    assert.equal(fetched.authConfig.id, AUTH_CONFIG_ID);
    assert.equal(fetched.providerId, PROVIDER_ID);
    assert.equal(fetched.createdAt.getTime(), created.createdAt.getTime());
  });

  it('get does not return the value again (value is null)', () => {
    assert.equal(fetched.value, null);
  });

  it('the provider_auth_config_id filter lists the new export once, and only that config', () => {
    assert.equal(listed.filter(item => item.id === created.id).length, 1, 'listed once');
    for (const item of listed) {
      assert.equal(item.object, 'provider.auth_export');
      assert.equal(item.authConfig.id, AUTH_CONFIG_ID, `${item.id} is of ${AUTH_CONFIG_ID}`);
      assertDate(item.createdAt, `${item.id}.createdAt`);
    }
    const mine = listed.find(item => item.id === created.id);
    assert.equal(mine.note, note);
    assert.deepEqual(mine.metadata, metadata);
  });

  it('list does not return values (value is null)', () => {
    for (const item of listed) assert.equal(item.value, null, `${item.id}.value`);
  });
});

describe('scenario 5: errors as the SDK surfaces them', () => {
  it('get of a setup session that does not exist: 404 not_found', async () => {
    const error = await sdkError(() =>
      sdk.providerSetupSessions.get('pas_DoesNotExist0000000')
    );
    assert.equal(error.response.status, 404);
    assert.equal(error.code, 'not_found');
    assert.equal(typeof error.response.message, 'string');
    assert.match(error.message, /^\[METORIAL ERROR\]: not_found - /);
  });

  it('the 404 names the entity provider.setup_session', async () => {
    const error = await sdkError(() =>
      sdk.providerSetupSessions.get('pas_DoesNotExist0000000')
    );
    assert.equal(error.entity, 'provider.setup_session');
  });

  it('create an export without a note: 400 invalid_data pointing at note', async () => {
    const error = await sdkError(() =>
      sdk.providerAuthConfigExports.create({ providerAuthConfigId: AUTH_CONFIG_ID })
    );
    assert.equal(error.response.status, 400);
    assert.equal(error.code, 'invalid_data');
    assert.ok(Array.isArray(error.validationErrors), 'validationErrors is a list');
    assert.ok(
      error.validationErrors.some(e => Array.isArray(e.path) && e.path.includes('note')),
      `a validation error at note: ${JSON.stringify(error.validationErrors)}`
    );
  });

  it('a wrong API key: 401 unauthorized', async () => {
    const stranger = createSdk({ apiKey: 'metorial_sk_wrong', apiHost: BASE_URL });
    const error = await sdkError(() => stranger.providerSetupSessions.list({ limit: 1 }));
    assert.equal(error.response.status, 401);
    assert.equal(error.code, 'unauthorized');
  });
});
