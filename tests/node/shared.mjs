// What the Node SDK test files share: the emulator they run against (run.sh sets
// METORIAL_EMULATOR_URL and METORIAL_API_KEY), the SDK set-up of Metorial's `@metorial/core`
// magnetar builder (rebuilt from the public pieces: util-endpoint's `MetorialSDKBuilder`, whose
// `build` makes one `MetorialEndpointManager`, with these headers, for the generated endpoint
// classes), and the assertion helpers.

import assert from 'node:assert/strict';

import {
  MetorialSDKBuilder,
  MetorialSDKError,
  isMetorialSDKError
} from '@metorial/util-endpoint';

export const BASE_URL = process.env.METORIAL_EMULATOR_URL;
export const API_KEY = process.env.METORIAL_API_KEY;
if (!BASE_URL || !API_KEY) {
  throw new Error('set METORIAL_EMULATOR_URL and METORIAL_API_KEY (run.sh does)');
}

export const API_VERSION = '2026-01-01-magnetar';

const magnetarSdkBuilder = MetorialSDKBuilder.create('metorial-public-api', API_VERSION)
  .setGetApiHost(config => config.apiHost ?? 'https://api.metorial.com')
  .setGetHeaders(config => ({
    Authorization: `Bearer ${config.apiKey}`,
    'Metorial-Version': config.apiVersion,
    ...(config.headers ?? {})
  }));

/** An SDK whose endpoints `endpoints(manager)` makes, against the emulator. */
export function emulatorSdk(endpoints, options = {}) {
  const create = magnetarSdkBuilder.build(soft => ({
    ...soft,
    apiVersion: API_VERSION,
    fetch: soft.fetch
  }))(endpoints);
  return create({ apiKey: API_KEY, apiHost: BASE_URL, ...options });
}

/** A mapped timestamp: a valid `Date`. */
export function assertDate(value, what) {
  assert.ok(value instanceof Date, `${what} is a Date (got ${JSON.stringify(value)})`);
  assert.ok(!Number.isNaN(value.getTime()), `${what} is a valid Date`);
}

/** Runs `call`, which must reject with a `MetorialSDKError`; returns it. */
export async function sdkError(call) {
  try {
    await call();
  } catch (error) {
    assert.ok(isMetorialSDKError(error), `a MetorialSDKError (got ${error})`);
    assert.ok(error instanceof MetorialSDKError);
    return error;
  }
  assert.fail('the call succeeded; an error was expected');
}

/** Every item of a list, walking forward with `after` = the last item's id. */
export async function listAll(endpoint, query) {
  const items = [];
  let after;
  for (let page = 0; page < 1000; page += 1) {
    const result = await endpoint.list({ ...query, ...(after ? { after } : {}) });
    assert.ok(Array.isArray(result.items), 'the list has items');
    assert.equal(typeof result.pagination.hasMoreAfter, 'boolean');
    assert.equal(typeof result.pagination.hasMoreBefore, 'boolean');
    items.push(...result.items);
    if (!result.pagination.hasMoreAfter) return items;
    assert.ok(result.items.length > 0, 'a page with more after it is not empty');
    after = result.items[result.items.length - 1].id;
  }
  assert.fail('the list never ended');
}

/**
 * Completes a setup session through the emulator's OAuth flow (`--oauth-auto-approve`): follows
 * the session's `url` through the fake provider and the callback, stopping at the session's
 * `redirect_url` (not fetched). Returns that final URL.
 */
export async function completeThroughEmulatorOAuth(sessionUrl) {
  const emulatorOrigin = new URL(BASE_URL).origin;
  let next = new URL(sessionUrl);
  for (let hop = 0; hop < 10; hop += 1) {
    const response = await fetch(next, { redirect: 'manual' });
    await response.arrayBuffer();
    const location = response.headers.get('location');
    assert.ok(location, `the OAuth flow stopped at ${next} with status ${response.status}`);
    next = new URL(location, next);
    if (next.origin !== emulatorOrigin) return next;
  }
  assert.fail('the OAuth flow did not reach the redirect_url');
}
