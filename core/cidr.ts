import { BlockList, isIP } from 'node:net';

/** A checked list of addresses and networks, ready to match against. */
export interface AddressList {
  /** The entries as given, one address or CIDR network each. */
  readonly entries: readonly string[];
  readonly blocks: BlockList;
  /** The IPv4 entries as [network, mask], unsigned: checked without BlockList, which costs a SocketAddress a call. */
  readonly v4: ReadonlyArray<readonly [number, number]>;
}

/**
 * Parses addresses and CIDR networks separated by commas, spaces or new
 * lines: `10.0.0.0/8, 192.0.2.7, 2001:db8::/32`. Returns the entries it
 * could not read in `bad`, so that a caller can name each one.
 */
export function parseAddressList(text: string): { list: AddressList; bad: string[] } {
  const blocks = new BlockList();
  const entries: string[] = [];
  const v4: Array<[number, number]> = [];
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
    if (family === 4) {
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      v4.push([(ipv4Number(address) & mask) >>> 0, mask]);
    }
    entries.push(entry);
  }
  return { list: { entries, blocks, v4 }, bad };
}

/** A valid dotted IPv4 address as an unsigned 32-bit number. */
function ipv4Number(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** Whether an address (IPv4 or IPv6) falls in the list. */
export function inList(list: AddressList, address: string): boolean {
  const family = isIP(address);
  if (family === 4) {
    const n = ipv4Number(address);
    return list.v4.some(([network, mask]) => (n & mask) >>> 0 === network);
  }
  return family === 6 && list.blocks.check(address, 'ipv6');
}
