/**
 * Writes small MaxMind DB (MMDB) files, IPv4 only: enough to test the City
 * database support without shipping a real one. Format: the MaxMind DB
 * specification, version 2.0 (a binary search tree of 32-bit records, a
 * 16-byte separator, a data section, then the metadata).
 */
import { isIP } from 'node:net';

/** What a data record may hold. */
export type MmdbValue = string | number | MmdbValue[] | { [key: string]: MmdbValue };

const TYPE = { string: 2, map: 7, uint32: 6, uint16: 5, array: 11 } as const;

/** Builds an IPv4 database that maps each CIDR network to its record. */
export function writeMmdb(networks: Record<string, MmdbValue>, databaseType = 'Sightline-Test-City'): Buffer {
  // Each node is [left, right]; a side is a child node index, a data record, or empty.
  type Side = { node: number } | { data: number } | null;
  const nodes: [Side, Side][] = [[null, null]];
  const records: MmdbValue[] = [];
  for (const [cidr, value] of Object.entries(networks)) {
    const [address = '', bitsText = '32'] = cidr.split('/');
    if (isIP(address) !== 4) throw new Error(`not an IPv4 network: ${cidr}`);
    const bits = Number(bitsText);
    const number = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
    let node = 0;
    for (let depth = 0; depth < bits; depth++) {
      const bit = Math.floor(number / 2 ** (31 - depth)) % 2;
      const current = nodes[node] as [Side, Side];
      if (depth === bits - 1) {
        current[bit] = { data: records.push(value) - 1 };
      } else {
        const next = current[bit] as Side;
        if (next === null || !('node' in next)) {
          nodes.push([null, null]);
          current[bit] = { node: nodes.length - 1 };
        }
        node = (current[bit] as { node: number }).node;
      }
    }
  }
  const encoded = records.map(encode);
  const offsets: number[] = [];
  let at = 0;
  for (const chunk of encoded) {
    offsets.push(at);
    at += chunk.length;
  }
  const tree = Buffer.alloc(nodes.length * 8);
  nodes.forEach((sides, index) => {
    sides.forEach((side, bit) => {
      // A record past the node count points into the data section (after the 16-byte separator).
      const value = side === null ? nodes.length : 'node' in side ? side.node : nodes.length + 16 + (offsets[side.data] ?? 0);
      tree.writeUInt32BE(value, index * 8 + bit * 4);
    });
  });
  const metadata = encode({
    node_count: nodes.length,
    record_size: 32,
    ip_version: 4,
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: Math.floor(Date.now() / 1000),
    description: { en: 'Written by Sightline for its tests' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...encoded, Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com'), metadata]);
}

function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(TYPE.string, bytes.length), bytes]);
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`unsupported number ${value}`);
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    const trimmed = bytes.subarray(bytes.findIndex((b) => b !== 0) === -1 ? 4 : bytes.findIndex((b) => b !== 0));
    return Buffer.concat([control(TYPE.uint32, trimmed.length), trimmed]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(TYPE.array, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(TYPE.map, entries.length), ...entries.flatMap(([key, item]) => [encode(key), encode(item)])]);
}

/** The control byte(s): type in the top three bits (extended types in a second byte), then the size. */
function control(type: number, size: number): Buffer {
  const extended = type > 7;
  const head = (extended ? 0 : type) << 5;
  const typeByte = extended ? [type - 7] : [];
  if (size < 29) return Buffer.from([head | size, ...typeByte]);
  if (size < 285) return Buffer.from([head | 29, ...typeByte, size - 29]);
  const rest = size - 285;
  return Buffer.from([head | 30, ...typeByte, rest >> 8, rest & 0xff]);
}
