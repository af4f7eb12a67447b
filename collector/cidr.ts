import { BlockList, isIP } from 'node:net';

/** A checked list of addresses and networks, ready to match against. */
export interface AddressList {
  /** The entries as given, one address or CIDR network each. */
  readonly entries: readonly string[];
  readonly blocks: BlockList;
}

/**
 * Parses addresses and CIDR networks separated by commas, spaces or new
 * lines: `10.0.0.0/8, 192.0.2.7, 2001:db8::/32`. Returns the entries it
 * could not read in `bad`, so that a caller can name each one.
 */
export function parseAddressList(text: string): { list: AddressList; bad: string[] } {
  const blocks = new BlockList();
  const entries: string[] = [];
  const bad: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter((part) => part !== '')) {
    const [address = '', prefixText] = entry.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
    if (family === 0 || prefix < 0 || prefix > max) {
      bad.push(entry);
      continue;
    }
    blocks.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    entries.push(entry);
  }
  return { list: { entries, blocks }, bad };
}

/** Whether an address (IPv4 or IPv6) falls in the list. */
export function inList(list: AddressList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.blocks.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
