// The time zones an agent may choose, as the browser knows them (Intl, no library shipped): each labelled with its
// offset today and its city, "(UTC+01:00) Paris — Europe/Paris", and found by city, zone name or offset.

export interface TimeZone {
  id: string;
  /** Minutes east of UTC, today (daylight saving time moves it). */
  minutes: number;
  /** "+01:00" */
  offset: string;
  /** "Paris", "Buenos Aires": the zone name's last part. */
  city: string;
  label: string;
  /** What a search looks in: zone name, city and offset, folded (no case, no accents). */
  words: string;
}

const UTC = 'UTC';

/** Lower case, without accents, "_" and "/" as spaces: "Europe/Zürich" is found by "zurich". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[_/]/g, ' ');
}

/** The offset Intl writes for the zone now: "GMT+01:00", or "GMT" for zero; undefined for a zone it does not know. */
function offsetOf(id: string, now: Date): { minutes: number; offset: string } | undefined {
  let name: string;
  try {
    name =
      new Intl.DateTimeFormat('en-US', { timeZone: id, timeZoneName: 'longOffset' })
        .formatToParts(now)
        .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  } catch {
    return undefined;
  }
  const match = /([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return { minutes: 0, offset: '+00:00' };
  const [, sign = '+', hours = '0', minutes = '0'] = match;
  const total = (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
  return { minutes: total, offset: `${sign}${hours}:${minutes}` };
}

export function describeTimeZone(id: string, now = new Date()): TimeZone {
  const city = id === UTC ? UTC : (id.split('/').pop() ?? id).replaceAll('_', ' ');
  const known = offsetOf(id, now);
  // A zone saved by another browser or imported from people that this browser does not know: named only.
  if (!known)
    return { id, minutes: 0, offset: '', city, label: `${city} — ${id}`, words: fold(`${id} ${city}`) };
  const { minutes, offset } = known;
  const label = id === UTC ? `(UTC${offset}) UTC` : `(UTC${offset}) ${city} — ${id}`;
  // "UTC+1" and "+1" as people write offsets, besides "UTC+01:00".
  const short = `${offset.slice(0, 1)}${Number(offset.slice(1, 3))}${offset.endsWith(':00') ? '' : offset.slice(3)}`;
  return {
    id,
    minutes,
    offset,
    city,
    label,
    words: fold(`${id} ${city} utc${offset} utc${short} gmt${short}`),
  };
}

/** The zone the browser is set to, as named in `known`; undefined when unknown or UTC (nothing to suggest). */
export function browserTimeZone(
  known: readonly string[] = Intl.supportedValuesOf('timeZone'),
): string | undefined {
  try {
    const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || /^(Etc\/)?(UTC|GMT|UCT|Universal|Zulu)$/.test(zone)) return undefined;
    if (known.includes(zone)) return zone;
    // An alias ("Asia/Kolkata") of a name the list uses ("Asia/Calcutta"), or the reverse.
    const canonical = (id: string) =>
      new Intl.DateTimeFormat('en-US', { timeZone: id }).resolvedOptions().timeZone;
    const same = canonical(zone);
    return known.find((id) => id === same || canonical(id) === same);
  } catch {
    return undefined;
  }
}

let listed: { day: string; zones: TimeZone[] } | undefined;

/**
 * Every zone the browser knows, and UTC, by offset then city. Built once a day (offsets move with daylight saving
 * time): a few hundred Intl formatters, so the page asks for it when the field is used, not when it is drawn.
 */
export function allTimeZones(now = new Date()): TimeZone[] {
  const day = now.toISOString().slice(0, 10);
  if (listed?.day !== day) {
    const ids = [UTC, ...Intl.supportedValuesOf('timeZone').filter((id) => id !== UTC)];
    const zones = ids.map((id) => describeTimeZone(id, now));
    zones.sort(
      (a, b) =>
        a.minutes - b.minutes ||
        Number(b.id === UTC) - Number(a.id === UTC) ||
        a.city.localeCompare(b.city, 'en'),
    );
    listed = { day, zones };
  }
  return listed.zones;
}

/**
 * The zones matching every word typed (in any order, anywhere in zone name, city or offset): cities starting with
 * the text first, then zones with a word starting with it, then the rest, each by offset.
 */
export function searchTimeZones(zones: readonly TimeZone[], query: string): TimeZone[] {
  const text = fold(query).trim();
  const words = text.split(/\s+/).filter(Boolean);
  if (!words.length) return [...zones];
  const rank = (zone: TimeZone) => {
    if (fold(zone.city).startsWith(text)) return 0;
    return zone.words.split(' ').some((word) => word.startsWith(words[0] ?? '')) ? 1 : 2;
  };
  return zones
    .filter((zone) => words.every((word) => zone.words.includes(word)))
    .map((zone, order) => ({ zone, order, rank: rank(zone) }))
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .map(({ zone }) => zone);
}
