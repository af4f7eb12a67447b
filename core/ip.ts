import { isIP } from 'node:net';
import type { Context } from 'hono';
import type { AddressList } from './cidr.js';
import { inList } from './cidr.js';
import type { IpStorage } from './config.js';

/**
 * The visitor's address. X-Forwarded-For is read only when the socket's
 * peer is a trusted proxy; then the right-most address that is not itself a
 * trusted proxy is the client. Anything to its left could be forged.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, trusted: AddressList): string | null {
  const peer = plain(socketAddress);
  if (peer === null) return null;
  if (forwardedFor === undefined || trusted.entries.length === 0 || !inList(trusted, peer)) return peer;
  const hops = forwardedFor.split(',').map((hop) => plain(hop.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    // A hop that is not an address ends the chain we can believe.
    if (hop === null || hop === undefined) return peer;
    if (!inList(trusted, hop)) return hop;
  }
  return hops[0] ?? peer;
}

/**
 * What a throttle counts an address as: IPv4 whole, IPv6 by its /64, which
 * one subscriber holds whole (any address in it is theirs to use).
 */
export function throttleAddress(ip: string | null): string {
  if (ip === null) return 'unknown';
  return isIP(ip) === 6 ? `${expandIpv6(ip).slice(0, 4).join(':')}::/64` : ip;
}

/** The address as stored: none, truncated to its network (IPv4 /24, IPv6 /48), or full. */
export function storedAddress(ip: string | null, mode: IpStorage): string | null {
  if (ip === null || mode === 'none') return null;
  if (mode === 'full') return ip;
  if (isIP(ip) === 4) return ip.replace(/\.\d+$/, '.0');
  return `${expandIpv6(ip).slice(0, 3).join(':')}::`;
}

/** An address without brackets or the IPv4-mapped IPv6 prefix; null if it is none. */
function plain(text: string | undefined): string | null {
  if (text === undefined) return null;
  let address = text.replace(/^\[|\]$/g, '');
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)) address = address.slice(7);
  return isIP(address) === 0 ? null : address;
}

function expandIpv6(ip: string): string[] {
  const [head = '', tail = ''] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = ip.includes('::') && tail !== '' ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}

/** The peer address of the request's socket, which Hono's Node adapter passes in `c.env.incoming`. */
export function socketAddress(c: Context): string | undefined {
  return (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
}
