import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import { GraphUserNames } from '../../shared/adapters/graph/graphUserNames.js';
import { buildGatewayFor, startTestGraphSimulator } from '../support/graphSimulator.js';

// The user-names adapter over HTTPS against the simulator, through the production gateway ($batch).
let simulator: GraphSimulator;

beforeAll(async () => {
  simulator = await startTestGraphSimulator();
});

afterAll(async () => {
  await simulator?.stop();
});

describe('GraphUserNames against the simulator', () => {
  it('when an admin views users, then each known id gets its display name and mail; unknown ids are left out', async () => {
    const names = new GraphUserNames(buildGatewayFor(simulator));
    const [alice, bjorn] = simulator.tenant.users;
    const unknown = '1e0d4b8a-9999-4c3f-9a7e-5b6c7d8e9f99';

    const found = await names.namesOf(simulator.tenant.tenantId, [alice?.id ?? '', bjorn?.id ?? '', unknown]);

    expect(found.get(alice?.id ?? '')).toEqual({
      displayName: 'Alice Anderson',
      mail: 'alice@contoso.example',
    });
    expect(found.get(bjorn?.id ?? '')).toEqual({
      displayName: 'Björn Lindqvist',
      mail: 'bjorn@contoso.example',
    });
    expect(found.has(unknown)).toBe(false);
  });

  it('when more users than one batch holds are asked for, then every one is named', async () => {
    await fetch(`${simulator.baseUrl}/_control/users`, {
      method: 'POST',
      body: JSON.stringify({ count: 45, prefix: 'names' }),
    });
    const ids = simulator.tenant.users.filter((user) => user.mail.startsWith('names')).map((user) => user.id);
    const names = new GraphUserNames(buildGatewayFor(simulator));

    const found = await names.namesOf(simulator.tenant.tenantId, ids);

    expect(ids.length).toBe(45);
    expect(found.size).toBe(45);
  });

  it('when ids are not Graph ids, then no request is built for them', async () => {
    const names = new GraphUserNames(buildGatewayFor(simulator));

    expect((await names.namesOf(simulator.tenant.tenantId, ['../me', ''])).size).toBe(0);
  });
});
