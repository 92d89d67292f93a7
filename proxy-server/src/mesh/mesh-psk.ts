/** Parses a mesh pre-shared key: base64 of exactly 32 bytes; a string problem otherwise. */
export function parseMeshPsk(text: string): Buffer | string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return 'expected base64 of 32 bytes (openssl rand -base64 32)';
  const b = Buffer.from(text, 'base64');
  if (b.length !== 32) return `expected base64 of 32 bytes, got ${b.length} bytes`;
  return b;
}
