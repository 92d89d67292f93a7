import { parseIpv4 } from '@lightspeed/shared';

/** An IPv4 CIDR block as (base, mask), both u32, base already masked. */
export interface Cidr {
  base: number;
  mask: number;
  bits: number;
  text: string;
}

/** Parses `a.b.c.d/n` (or a bare address, meaning /32); returns an error string instead of throwing. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const bitsText = slash < 0 ? '32' : text.slice(slash + 1);
  const ip = parseIpv4(addrText);
  if (ip === null)
    return `${JSON.stringify(addrText)} is not an IPv4 address (IPv4 CIDR like "127.0.0.0/8" expected)`;
  if (!/^(0|[1-9][0-9]?)$/.test(bitsText) || Number(bitsText) > 32) {
    return `prefix length ${JSON.stringify(bitsText)} must be an integer 0..32`;
  }
  const bits = Number(bitsText);
  const mask = maskOf(bits);
  const base = (ip & mask) >>> 0;
  if (base !== ip) return `${text} has host bits set (did you mean ${formatCidr(base, bits)}?)`;
  return { base, mask, bits, text };
}

function maskOf(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

function formatCidr(base: number, bits: number): string {
  return `${base >>> 24}.${(base >>> 16) & 0xff}.${(base >>> 8) & 0xff}.${base & 0xff}/${bits}`;
}

/** True when `ip` (u32) lies in `cidr`. */
export function cidrContains(cidr: Cidr, ip: number): boolean {
  return (ip & cidr.mask) >>> 0 === cidr.base;
}
