import { inList } from '../core/cidr.js';
import type { SiteRules } from '../core/site-cache.js';
import type { DropReason } from '../core/stats.js';
import { belongsTo } from './source.js';

/** What the filters look at. `pageHost` null means there is no host to check. */
export interface FilterInput {
  readonly bot: boolean;
  readonly pageHost: string | null;
  readonly ip: string | null;
}

/** The reason to drop an event, or undefined to keep it. */
export function dropReason(site: SiteRules, input: FilterInput): DropReason | undefined {
  if (input.bot) return 'bot';
  if (input.pageHost !== null && !site.allowAnyHost && !belongsTo(input.pageHost, site.domain)) return 'host';
  if (input.ip !== null && site.excludedIps.entries.length > 0 && inList(site.excludedIps, input.ip)) return 'ip';
  return undefined;
}
