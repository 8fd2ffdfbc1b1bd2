import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLocalTls } from '../../dev/localTls.js';
import { WebexSimulator } from '../../dev/webexSimulator.js';
import { WebexJoinDetails } from '../../shared/adapters/webex/webexJoinDetails.js';
import { faultSeed, seedFaultsForEachTest } from '../support/faultSeed.js';

let simulator: WebexSimulator;
let webex: WebexJoinDetails;

beforeAll(async () => {
  simulator = new WebexSimulator({
    tls: await ensureLocalTls(process.env.TEST_STATE_DIR ?? ''),
    port: 0,
    faultSeed,
  });
  await simulator.start();
  webex = new WebexJoinDetails({ baseUrl: simulator.baseUrl, accessToken: simulator.accessToken });
});

seedFaultsForEachTest(() => [simulator]);

afterAll(async () => {
  await simulator?.stop();
});

describe('WebexJoinDetails against the Webex simulator', () => {
  it('when a host’s Personal Room is asked for, then link, SIP address, access code and call-in numbers come back', async () => {
    const room = await webex.personalRoom('Alice@Contoso.example');

    expect(room).toEqual({
      link: 'https://contoso.webex.com/meet/alice',
      sipAddress: 'alice@contoso.webex.com',
      meetingNumber: expect.stringMatching(/^\d{10}$/),
      dialIn: [{ label: 'US Toll', number: '+1-415-655-0001' }],
    });
  });

  it('when a space meeting is made, then the space has the invitees as members and its meeting details', async () => {
    const meeting = await webex.spaceMeeting('Project sync', [
      'bjorn@contoso.example',
      'ayse@contoso.example',
    ]);

    expect(simulator.rooms.get(meeting.spaceId)).toEqual({
      title: 'Project sync',
      members: ['bjorn@contoso.example', 'ayse@contoso.example'],
    });
    expect(meeting.link).toMatch(/^https:\/\/contoso\.webex\.com\/m\/\d{10}$/);
    expect(meeting.sipAddress).toBe(`${meeting.meetingNumber}@contoso.webex.com`);
  });

  it('when the token is wrong, then the failure is unauthorized and names no token', async () => {
    const wrong = new WebexJoinDetails({ baseUrl: simulator.baseUrl, accessToken: 'not-the-token' });

    const failure = await wrong.personalRoom('alice@contoso.example').catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'unauthorized' });
    expect(String((failure as Error).message)).not.toMatch(/not-the-token|alice/);
  });

  it('when health is checked, then GET /people/me answers for the token; with a wrong token it fails unauthorized', async () => {
    const before = simulator.calls.get('GET /v1/people/me') ?? 0;

    await expect(webex.checkHealth()).resolves.toBeUndefined();
    expect(simulator.calls.get('GET /v1/people/me')).toBe(before + 1);
    await expect(
      new WebexJoinDetails({ baseUrl: simulator.baseUrl, accessToken: 'not-the-token' }).checkHealth(),
    ).rejects.toMatchObject({ code: 'unauthorized', message: 'Webex GET /people/me: refused (401)' });
  });

  it('when Webex answers 503, then the failure is transient, and calls work again once it recovers', async () => {
    simulator.serverErrorRate = 1;
    const outage = await webex.personalRoom('alice@contoso.example').catch((error: unknown) => error);
    simulator.serverErrorRate = 0;

    expect(outage).toMatchObject({ code: 'dependency-unavailable', transient: true });
    await expect(webex.spaceMeeting('x', ['nobody']).then(() => 'ok')).resolves.toBe('ok');
  });
});
