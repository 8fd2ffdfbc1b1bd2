import { describe, expect, it } from 'vitest';
import type { TraceEntry } from '../../shared/meetings/eventTrace.js';
import type { EventTraces } from '../../shared/meetings/eventTraces.js';
import type { MeetingRecord } from '../../shared/meetings/meetingRecord.js';
import type { MeetingRecords } from '../../shared/meetings/meetingRecords.js';
import type { TenantSettingsStore } from '../../shared/meetings/tenantSettings.js';
import { aliceId, meetingsStart, meetingsTenantId } from './meetingsBuilders.js';

// What every implementation of the meetings side's repositories does, run against the in-memory
// fakes (unit) and the Cosmos adapters (integration), so that the fakes the use-case tests rely on
// behave as the real thing.

export interface MeetingRepositories {
  records: MeetingRecords;
  traces: EventTraces;
  tenantSettings: TenantSettingsStore;
}

function buildRecord(overrides: Partial<MeetingRecord> = {}): MeetingRecord {
  return {
    id: 'record-1',
    userId: aliceId,
    tenantId: meetingsTenantId,
    start: '2026-11-23T09:00:00.000Z',
    end: '2026-11-23T10:00:00.000Z',
    state: 'scheduled',
    seriesKey: null,
    ttl: 3_600,
    sealed: { alg: 'A256GCM', dataKeyId: `${aliceId}.1`, iv: 'aXY=', ciphertext: 'Y3Q=', tag: 'dGFn' },
    updatedAt: meetingsStart,
    ...overrides,
  };
}

function buildEntry(overrides: Partial<TraceEntry> = {}): TraceEntry {
  return {
    at: meetingsStart,
    source: 'notification',
    changeType: 'updated',
    outcome: 'recorded',
    rule: 'no keyword or video address',
    language: 'en',
    graph: null,
    detail: null,
    ...overrides,
  };
}

const traceKey = { id: 'trace-1', userId: aliceId, tenantId: meetingsTenantId };

export function describeMeetingRepositoriesContract(
  name: string,
  make: () => Promise<MeetingRepositories>,
): void {
  describe(`${name}: meeting records`, () => {
    it('when a record is saved again, then it replaces the first; an unknown one is not found', async () => {
      const { records } = await make();

      await records.save(buildRecord());
      await records.save(buildRecord({ end: '2026-11-23T11:00:00.000Z' }));

      expect((await records.find(aliceId, 'record-1'))?.end).toBe('2026-11-23T11:00:00.000Z');
      expect(await records.find(aliceId, 'record-2')).toBeUndefined();
      expect(await records.find('someone-else', 'record-1')).toBeUndefined();
    });

    it('when a record is removed, then it is gone; removing one that is not there is no error', async () => {
      const { records } = await make();
      await records.save(buildRecord());

      await records.remove(aliceId, 'record-1');
      await records.remove(aliceId, 'record-1');

      expect(await records.find(aliceId, 'record-1')).toBeUndefined();
    });

    it('when a series’ occurrences are asked for, then only that user’s records of that series come back', async () => {
      const { records } = await make();
      await records.save(buildRecord({ id: 'occurrence-1', seriesKey: 'series-a' }));
      await records.save(buildRecord({ id: 'occurrence-2', seriesKey: 'series-a' }));
      await records.save(buildRecord({ id: 'other-series', seriesKey: 'series-b' }));
      await records.save(buildRecord({ id: 'single' }));
      await records.save(buildRecord({ id: 'bjorns', userId: 'bjorn', seriesKey: 'series-a' }));

      const occurrences = await records.occurrencesOf(aliceId, 'series-a');

      expect(occurrences.map((record) => record.id).sort()).toEqual(['occurrence-1', 'occurrence-2']);
    });

    it('when a range is asked for, then records overlapping it come back by start; touching ones do not', async () => {
      const { records } = await make();
      const at = (hour: number) => `2026-11-23T${String(hour).padStart(2, '0')}:00:00.000Z`;
      await records.save(buildRecord({ id: 'ends-at-from', start: at(7), end: at(8) }));
      await records.save(buildRecord({ id: 'late', start: at(11), end: at(13) }));
      await records.save(buildRecord({ id: 'early', start: at(7), end: at(9) }));
      await records.save(buildRecord({ id: 'starts-at-to', start: at(12), end: at(13) }));
      await records.save(buildRecord({ id: 'bjorns', userId: 'bjorn', start: at(9), end: at(10) }));

      const found = await records.between(aliceId, {
        from: new Date(at(8)),
        to: new Date(at(12)),
      });

      expect(found.map((record) => record.id)).toEqual(['early', 'late']);
    });
  });

  describe(`${name}: event traces`, () => {
    it('when entries are appended, then they are kept in order with the change key last given', async () => {
      const { traces } = await make();

      await traces.append(traceKey, buildEntry({ outcome: 'decorated' }), 'change-1');
      await traces.append(traceKey, buildEntry({ outcome: 'recorded' }));

      expect(await traces.find(traceKey)).toMatchObject({
        ...traceKey,
        entries: [{ outcome: 'decorated' }, { outcome: 'recorded' }],
        lastChangeKey: 'change-1',
      });
      await traces.append(traceKey, buildEntry({ outcome: 'removed' }), null);
      expect((await traces.find(traceKey))?.lastChangeKey).toBeNull();
      expect(await traces.find({ id: 'trace-2', userId: aliceId })).toBeUndefined();
    });

    it('when more than 20 entries are appended, then the last 20 are kept', async () => {
      const { traces } = await make();

      for (let n = 1; n <= 23; n += 1) await traces.append(traceKey, buildEntry({ rule: `rule ${n}` }));

      const entries = (await traces.find(traceKey))?.entries ?? [];
      expect(entries).toHaveLength(20);
      expect([entries[0]?.rule, entries.at(-1)?.rule]).toEqual(['rule 4', 'rule 23']);
    });

    it('when entries are appended at the same time, then every one of them lands', async () => {
      const { traces } = await make();

      await Promise.all(
        Array.from({ length: 8 }, (_, n) => traces.append(traceKey, buildEntry({ rule: `rule ${n}` }))),
      );

      expect((await traces.find(traceKey))?.entries.map((entry) => entry.rule).sort()).toEqual(
        Array.from({ length: 8 }, (_, n) => `rule ${n}`),
      );
    });
  });

  describe(`${name}: tenant settings`, () => {
    it('when nothing was set, then there is nothing; when settings are replaced, then the new ones are read', async () => {
      const { tenantSettings } = await make();

      expect(await tenantSettings.read(meetingsTenantId)).toBeUndefined();
      await tenantSettings.replace(
        meetingsTenantId,
        { defaultLanguage: 'de', leadTimeMinutes: 10 },
        new Date(),
      );
      await tenantSettings.replace(meetingsTenantId, { defaultLanguage: 'sv' }, new Date());

      expect(await tenantSettings.read(meetingsTenantId)).toEqual({ defaultLanguage: 'sv' });
    });
  });
}
