// STUN keep-alives on the SIP UDP port (RFC 5626 §4.4.2 client, §5.4 server): a client behind NAT
// sends STUN Binding requests to the port it registered through and reads the address
// it is seen from in the answer. We answer Binding requests and nothing else.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |0 0|     STUN Message Type     |         Message Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         Magic Cookie                          |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                     Transaction ID (96 bits)                  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//                          RFC 5389 §6, then attributes (TLV, 4-byte aligned)
import { isIPv4, isIPv6 } from 'node:net';
import { crc32 } from 'node:zlib';

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const XOR_MAPPED_ADDRESS = 0x0020;
const FINGERPRINT = 0x8028;
const FINGERPRINT_XOR = 0x5354554e;
const HEADER = 20;

/** A STUN message (never a SIP one, which starts with a letter): top two bits 0 and the cookie. */
export function isStun(data: Buffer): boolean {
  return (
    data.length >= HEADER &&
    (data[0]! & 0xc0) === 0 &&
    data.readUInt32BE(4) === MAGIC_COOKIE &&
    data.readUInt16BE(2) + HEADER === data.length &&
    (data.length & 3) === 0
  );
}

export function isBindingRequest(data: Buffer): boolean {
  return isStun(data) && data.readUInt16BE(0) === BINDING_REQUEST;
}

/** Whether bindingResponse can describe this address (plain IPv4 or IPv6 hex groups). */
export function canMapAddress(address: string): boolean {
  return isIPv4(address) || (isIPv6(address) && !address.includes('.') && !address.includes('%'));
}

/**
 * The Binding success response to `request`, telling the client the address and port
 * it was seen from (XOR-MAPPED-ADDRESS, RFC 5389 §15.2), with a FINGERPRINT (§15.5) so
 * it is told apart from SIP on the same port.
 */
export function bindingResponse(request: Buffer, address: string, port: number): Buffer {
  const v4 = isIPv4(address);
  const addrLength = v4 ? 4 : 16;
  const xorLength = 4 + addrLength;
  const length = 4 + xorLength + 8;
  const out = Buffer.alloc(HEADER + length);
  out.writeUInt16BE(BINDING_SUCCESS, 0);
  out.writeUInt16BE(length, 2);
  out.writeUInt32BE(MAGIC_COOKIE, 4);
  request.copy(out, 8, 8, HEADER); // transaction id

  let p = HEADER;
  out.writeUInt16BE(XOR_MAPPED_ADDRESS, p);
  out.writeUInt16BE(xorLength, p + 2);
  out.writeUInt8(0, p + 4);
  out.writeUInt8(v4 ? 0x01 : 0x02, p + 5);
  // "X-Port is computed by taking the mapped port in host byte order, XOR'ing it with
  // the most significant 16 bits of the magic cookie" (§15.2).
  out.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), p + 6);
  const raw = v4 ? ipv4Bytes(address) : ipv6Bytes(address);
  // The address is XOR'd with the cookie, and for IPv6 with the cookie and transaction id.
  for (let i = 0; i < addrLength; i++) out[p + 8 + i] = raw[i]! ^ out[4 + i]!;
  p += 4 + xorLength;

  out.writeUInt16BE(FINGERPRINT, p);
  out.writeUInt16BE(4, p + 2);
  out.writeUInt32BE((crc32(out.subarray(0, p)) ^ FINGERPRINT_XOR) >>> 0, p + 4);
  return out;
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

function ipv6Bytes(address: string): number[] {
  const [head = '', tail = ''] = address.split('::') as [string?, string?];
  const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const t = address.includes('::') ? groups(tail) : [];
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}
