import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { countryOf, geoUnavailable } from '../../src/policy/geo/country.ts';
import { createUser } from '../../src/directory/users.ts';
import { saveNamedLocation } from '../../src/policy/store/bundle.ts';
import { savePolicy } from '../../src/policy/store/policies.ts';
import { whatIf } from '../../src/policy/store/whatif.ts';

/** Named locations by country, from the offline GeoIP database shipped in the package (no network). */
test('the offline GeoIP database answers countries, nothing for private addresses', () => {
  assert.equal(geoUnavailable(), null);
  assert.equal(countryOf('8.8.8.8'), 'US');
  assert.equal(countryOf('81.2.69.142'), 'GB');
  assert.equal(countryOf('::ffff:81.2.69.142'), 'GB');
  assert.equal(countryOf('10.1.2.3'), null);
  assert.equal(countryOf('not an address'), null);
});

for (const engine of ENGINES) {
  test(`a country location in a policy, through what-if, on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const by = { actor: 'user:admin' };
    await createUser(ts.store, { username: 'bob' }, by);
    await saveNamedLocation(ts.store, { name: 'Blocked countries', countries: ['GB'] }, by);
    await savePolicy(ts.store, { name: 'Block GB', state: 'enabled', assignments: { users: { include: 'all' } }, conditions: { locations: { include: ['Blocked countries'] } }, grant: { block: true } }, by);
    const gb = await whatIf(ts.store.db, { user: 'bob', ip: '81.2.69.142' });
    assert.equal(gb.facts.country, 'GB');
    assert.equal(gb.decision.outcome, 'block');
    const us = await whatIf(ts.store.db, { user: 'bob', ip: '8.8.8.8' });
    assert.equal(us.decision.outcome, 'allow');
    assert.equal(us.decision.policies.find((p) => p.name === 'Block GB')!.reason, 'location_not_included');
  });
}
