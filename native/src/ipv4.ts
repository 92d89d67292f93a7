/** IPv4 addresses as u32 in host order (a.b.c.d = (a<<24 | b<<16 | c<<8 | d) >>> 0): shared's codec, throwing. */
import { formatIpv4, parseIpv4 } from '@lightspeed/shared';

export function ipToU32(address: string): number {
  const value = parseIpv4(address);
  if (value === null) throw new TypeError(`not an IPv4 address: ${address}`);
  return value;
}

export function u32ToIp(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new TypeError(`not a u32: ${value}`);
  return formatIpv4(value);
}
