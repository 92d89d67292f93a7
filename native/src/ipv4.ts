/** IPv4 addresses as u32 in host order: a.b.c.d = (a<<24 | b<<16 | c<<8 | d) >>> 0. */

export function ipToU32(address: string): number {
  const parts = address.split('.');
  if (parts.length !== 4) throw new TypeError(`not an IPv4 address: ${address}`);
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) throw new TypeError(`not an IPv4 address: ${address}`);
    value = value * 256 + Number(part);
  }
  return value >>> 0;
}

export function u32ToIp(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new TypeError(`not a u32: ${value}`);
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
}
