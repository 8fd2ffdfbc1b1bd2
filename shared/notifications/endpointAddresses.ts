import { isIP } from 'node:net';

/**
 * Where a tenant's webhook may not point: the service's own machine and network (loopback, private,
 * link-local incl. the cloud metadata address 169.254.169.254, unique-local, CGNAT, multicast,
 * unspecified), so that a tenant administrator cannot make the service call inside its network.
 */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const kind = isIP(bare);
  if (kind === 4) return isInternalIpv4(bare);
  if (kind === 6) return isInternalIpv6(bare);
  return false;
}

/** Why a URL's host is refused as a tenant endpoint, or undefined when it is not (names are resolved at send time). */
export function internalHostReason(hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'endpoints may not point at localhost';
  if (isInternalAddress(host))
    return 'endpoints may not point at a loopback, private, link-local or metadata address';
  return undefined;
}

function isInternalIpv4(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && address.split('.')[2] === '0') || // IETF protocol assignments
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast, reserved, broadcast
  );
}

function isInternalIpv6(address: string): boolean {
  const words = ipv6Words(address);
  if (!words) return true; // not understood: refuse rather than guess
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0] = words;
  const upperZero = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0;
  if (upperZero && w5 === 0 && w6 === 0 && (w7 === 0 || w7 === 1)) return true; // :: and ::1
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): judged as the IPv4 address.
  if (upperZero && (w5 === 0xffff || w5 === 0))
    return isInternalIpv4(`${w6 >> 8}.${w6 & 0xff}.${w7 >> 8}.${w7 & 0xff}`);
  // NAT64 (64:ff9b::/96) carries an IPv4 address too.
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0)
    return isInternalIpv4(`${w6 >> 8}.${w6 & 0xff}.${w7 >> 8}.${w7 & 0xff}`);
  return (
    (w0 & 0xfe00) === 0xfc00 || // unique-local fc00::/7 (incl. fd00::/8)
    (w0 & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (w0 & 0xffc0) === 0xfec0 || // site-local (deprecated) fec0::/10
    (w0 & 0xff00) === 0xff00 // multicast
  );
}

/** The eight 16-bit words of an IPv6 address (with a trailing dotted IPv4 part allowed). */
function ipv6Words(address: string): number[] | undefined {
  let text = address.toLowerCase().split('%')[0] ?? '';
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [, a, b, c, d] = dotted.map(Number);
    text = `${text.slice(0, dotted.index)}${(((a ?? 0) << 8) | (b ?? 0)).toString(16)}:${(((c ?? 0) << 8) | (d ?? 0)).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail].map(
    (word) => Number.parseInt(word, 16),
  );
  return words.length === 8 && words.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffff)
    ? words
    : undefined;
}
