// The profile's time zones, without a browser: labels with today's offset and the city, and what a search finds.
import { describe, expect, it } from 'vitest';
import {
  allTimeZones,
  describeTimeZone,
  searchTimeZones,
} from '../../web/src/features/profile/time-zones.ts';

const WINTER = new Date('2026-01-15T12:00:00Z');
const SUMMER = new Date('2026-07-15T12:00:00Z');
const zones = allTimeZones(WINTER);
const found = (query: string) => searchTimeZones(zones, query).map((z) => z.id);

describe('a time zone', () => {
  it('reads as its offset today, its city and its name', () => {
    expect(describeTimeZone('Europe/Paris', WINTER).label).toBe('(UTC+01:00) Paris — Europe/Paris');
    expect(describeTimeZone('Europe/Paris', SUMMER).label).toBe('(UTC+02:00) Paris — Europe/Paris');
    expect(describeTimeZone('America/Argentina/Buenos_Aires', WINTER).label).toBe(
      '(UTC-03:00) Buenos Aires — America/Argentina/Buenos_Aires',
    );
    expect(describeTimeZone('Asia/Kathmandu', WINTER).label).toBe('(UTC+05:45) Kathmandu — Asia/Kathmandu');
    expect(describeTimeZone('UTC', WINTER).label).toBe('(UTC+00:00) UTC');
  });

  it('is named only when the browser does not know it', () => {
    expect(describeTimeZone('Mars/Olympus_Mons', WINTER).label).toBe('Olympus Mons — Mars/Olympus_Mons');
  });
});

describe('the list of time zones', () => {
  it('holds every zone Intl knows, and UTC first of its offset, by offset', () => {
    expect(zones.length).toBe(Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC').length + 1);
    const minutes = zones.map((z) => z.minutes);
    expect(minutes).toEqual([...minutes].sort((a, b) => a - b));
    expect(zones.find((z) => z.minutes === 0)?.id).toBe('UTC');
  });
});

describe('searching a time zone', () => {
  it('finds a zone by its city', () => {
    expect(found('Paris')).toEqual(['Europe/Paris']);
    expect(found('paris')).toEqual(['Europe/Paris']);
  });

  it('finds cities of several words, and forgives accents and case', () => {
    expect(found('new york')).toEqual(['America/New_York']);
    // ICU names some zones by their older IANA names (America/Buenos_Aires, Asia/Katmandu): either is right.
    expect(found('BUENOS aires')).toEqual([expect.stringMatching(/\/Buenos_Aires$/)]);
    expect(found('zürich')).toEqual(['Europe/Zurich']);
  });

  it('finds zones by their offset, written either way', () => {
    expect(found('UTC+05:45')).toEqual([expect.stringMatching(/^Asia\/Kath?mandu$/)]);
    expect(found('+5:45')).toEqual(found('UTC+05:45'));
    expect(found('UTC+1')).toContain('Europe/Paris');
  });

  it('lists the cities starting with the text first', () => {
    expect(found('lon')[0]).toBe('Europe/London');
  });

  it('finds a region by name', () => {
    const european = found('Europe');
    expect(european).toContain('Europe/Paris');
    expect(european.every((id) => id.startsWith('Europe/'))).toBe(true);
  });

  it('finds nothing for a place that is no zone', () => {
    expect(found('Atlantis')).toEqual([]);
  });

  it('lists everything for empty text', () => {
    expect(found('  ')).toHaveLength(zones.length);
  });
});
