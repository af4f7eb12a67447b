import { inList } from './cidr.js';
import type { SiteRules } from './site-cache.js';
import { belongsTo } from './source.js';

/** Why an event was dropped: a bot, a page on another host, an excluded address. */
export type DropReason = 'bot' | 'host' | 'ip';

/** Every reason, in the order the dashboard lists them. */
export const DROP_REASONS: readonly DropReason[] = ['bot', 'host', 'ip'];

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
