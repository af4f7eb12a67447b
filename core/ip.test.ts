import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inList, parseAddressList } from './cidr.js';
import { clientAddress, storedAddress } from './ip.js';

const trusted = parseAddressList('10.0.0.0/8, 172.16.0.0/12, ::1, fd00::/8').list;
const none = parseAddressList('').list;

describe('parseAddressList', () => {
  it('reads addresses and networks of both families, and names what it cannot read', () => {
    const { list, bad } = parseAddressList('192.0.2.7\n10.0.0.0/8, 2001:db8::/32  garbage 1.2.3.4/33 ::1/129');
    expect(list.entries).toEqual(['192.0.2.7', '10.0.0.0/8', '2001:db8::/32']);
    expect(bad).toEqual(['garbage', '1.2.3.4/33', '::1/129']);
    expect([
      inList(list, '10.200.3.4'),
      inList(list, '192.0.2.7'),
      inList(list, '192.0.2.8'),
      inList(list, '2001:db8:ff::1'),
      inList(list, 'nope'),
    ]).toEqual([true, true, false, true, false]);
  });

  it("matches IPv4 addresses as Node's BlockList does, for networks of every length", () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.'));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(ipv4, fc.nat(32)), { minLength: 1, maxLength: 3 }),
        fc.array(ipv4, { maxLength: 20 }),
        (networks, addresses) => {
          const reference = new BlockList();
          for (const [network, prefix] of networks) reference.addSubnet(network, prefix, 'ipv4');
          const { list } = parseAddressList(networks.map(([network, prefix]) => `${network}/${prefix}`).join(' '));
          // Inside each network as well as anywhere.
          const inside = networks.map(([network]) => network.replace(/\d+$/, '255'));
          for (const address of [...addresses, ...inside, ...networks.map(([network]) => network)]) {
            expect(inList(list, address), address).toBe(reference.check(address, 'ipv4'));
          }
        },
      ),
    );
    const all = parseAddressList('0.0.0.0/0').list;
    expect([inList(all, '255.255.255.255'), inList(all, '0.0.0.0')]).toEqual([true, true]);
  });
});

describe('clientAddress', () => {
  it.each([
    ['the socket, without a proxy setting', '203.0.113.9', '1.1.1.1', none, '203.0.113.9'],
    ['the socket, when the peer is not a trusted proxy', '203.0.113.9', '1.1.1.1', trusted, '203.0.113.9'],
    ['the only hop behind a trusted proxy', '10.0.0.1', '198.51.100.4', trusted, '198.51.100.4'],
    ['the right-most untrusted hop', '10.0.0.1', '6.6.6.6, 198.51.100.4, 172.16.5.5', trusted, '198.51.100.4'],
    ['the socket, with no forwarded header', '10.0.0.1', undefined, trusted, '10.0.0.1'],
    ['the socket, when a hop is not an address', '10.0.0.1', '198.51.100.4, unknown', trusted, '10.0.0.1'],
    ['the left-most hop when every hop is trusted', '10.0.0.1', '10.9.9.9, 10.8.8.8', trusted, '10.9.9.9'],
    ['an IPv4-mapped socket address, unmapped', '::ffff:203.0.113.9', undefined, none, '203.0.113.9'],
    ['an IPv6 peer behind an IPv6 proxy', '::1', '2001:db8::7', trusted, '2001:db8::7'],
  ])('takes %s', (_label, socket, forwarded, list, expected) => {
    expect(clientAddress(socket, forwarded, list)).toBe(expected);
  });

  it('has no address without a socket', () => {
    expect(clientAddress(undefined, '1.1.1.1', trusted)).toBeNull();
  });
});

describe('storedAddress', () => {
  it.each([
    ['203.0.113.9', 'truncated', '203.0.113.0'],
    ['2001:db8:1:2:3:4:5:6', 'truncated', '2001:db8:1::'],
    ['2001:db8::1', 'truncated', '2001:db8:0::'],
    ['::1', 'truncated', '0:0:0::'],
    ['2001:0DB8:00aa::1', 'truncated', '2001:db8:aa::'],
    ['203.0.113.9', 'full', '203.0.113.9'],
    ['203.0.113.9', 'none', null],
  ] as const)('stores %s as %s → %s', (ip, mode, expected) => {
    expect(storedAddress(ip, mode)).toBe(expected);
  });
});
