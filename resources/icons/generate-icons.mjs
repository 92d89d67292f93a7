#!/usr/bin/env node
// Draws LightSpeed's app icons and tray icons (one per route health) as PNG, with no dependency but
// zlib, so the committed assets can be regenerated and checked byte for byte:
//   node resources/icons/generate-icons.mjs [--out DIR]   (DIR defaults to resources/)
// Output: DIR/tray/{idle,good,degraded,bad}-{16,32}.png and -{16,32}@2x.png;
//         DIR/icons/icon.png (512), DIR/icons/icon.ico (16..256), DIR/icons/icon.icns (macOS, 16..512
//         with @2x), DIR/icons/png/NxN.png (Linux sizes).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes straight (non-premultiplied) RGBA pixels as an 8-bit RGBA PNG. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Wraps PNG images in a Windows .ico (PNG-compressed entries, Vista and later). */
export function encodeIco(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i;
    header[e] = size >= 256 ? 0 : size;
    header[e + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, e + 4); // planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(png.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.png)]);
}

/**
 * Wraps PNG images in a macOS .icns: 'icns', u32 BE total length, then entries of OSType + u32 BE length
 * (header included) + PNG data. PNG entry types by pixel size (and which point size @2x they serve).
 */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32], // 16 pt @2x
  ['icp6', 64],
  ['ic12', 64], // 32 pt @2x
  ['ic07', 128],
  ['ic08', 256],
  ['ic13', 256], // 128 pt @2x
  ['ic09', 512],
  ['ic14', 512], // 256 pt @2x
];

export function encodeIcns(pngBySize) {
  const entries = ICNS_TYPES.map(([type, size]) => {
    const png = pngBySize.get(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'latin1');
  header.writeUInt32BE(8 + entries.reduce((n, e) => n + e.length, 0), 4);
  return Buffer.concat([header, ...entries]);
}

// A lightning bolt in unit coordinates (0..1, y down).
const BOLT = [
  [0.6, 0.08],
  [0.24, 0.56],
  [0.47, 0.56],
  [0.39, 0.92],
  [0.77, 0.42],
  [0.54, 0.42],
  [0.65, 0.08],
];

function inPolygon(x, y, poly) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inRoundedSquare(x, y, radius) {
  const cx = Math.min(Math.max(x, radius), 1 - radius);
  const cy = Math.min(Math.max(y, radius), 1 - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2 && x >= 0 && x <= 1 && y >= 0 && y <= 1;
}

/**
 * Rasterises `shade(u, v) → [r, g, b, a] | null` (u, v in 0..1) at `size` px with supersampling (8×8 for
 * small sizes where edges matter most, 3×3 above 64 px), averaging in premultiplied space.
 */
function render(size, shade) {
  const ss = size > 64 ? 3 : 8;
  const px = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = shade((x + (sx + 0.5) / ss) / size, (y + (sy + 0.5) / ss) / size);
          if (c === null) continue;
          const alpha = c[3] / 255;
          r += c[0] * alpha;
          g += c[1] * alpha;
          b += c[2] * alpha;
          a += alpha;
        }
      }
      const o = (y * size + x) * 4;
      if (a > 0) {
        px[o] = Math.round(r / a);
        px[o + 1] = Math.round(g / a);
        px[o + 2] = Math.round(b / a);
      }
      px[o + 3] = Math.round((a / (ss * ss)) * 255);
    }
  }
  return px;
}

export const HEALTH_COLOURS = {
  idle: [139, 147, 167],
  good: [34, 197, 94],
  degraded: [245, 158, 11],
  bad: [239, 68, 68],
};

/** Tray icon: a disk in the health colour with a white bolt, readable at 16 px on light or dark bars. */
function trayIcon(size, colour) {
  const bolt = BOLT.map(([x, y]) => [0.5 + (x - 0.5) * 0.78, 0.5 + (y - 0.5) * 0.78]);
  return render(size, (u, v) => {
    const d = Math.hypot(u - 0.5, v - 0.5);
    if (d > 0.5) return null;
    if (inPolygon(u, v, bolt)) return [255, 255, 255, 255];
    // A darker rim keeps the disk visible on a bar of the same colour.
    const rim = d > 0.44;
    return rim ? [...colour.map((c) => Math.round(c * 0.7)), 255] : [...colour, 255];
  });
}

/** App icon: a dark rounded square with a cyan-to-violet bolt. */
function appIcon(size) {
  return render(size, (u, v) => {
    if (!inRoundedSquare(u, v, 0.22)) return null;
    if (inPolygon(u, v, BOLT)) {
      const t = v;
      return [
        Math.round(56 + (167 - 56) * t),
        Math.round(189 + (139 - 189) * t),
        Math.round(248 + (250 - 248) * t),
        255,
      ];
    }
    const t = (u + v) / 2;
    return [Math.round(17 - 6 * t), Math.round(24 - 9 * t), Math.round(39 - 16 * t), 255];
  });
}

/** Writes every asset under `outDir`; returns the relative paths written. */
export function generate(outDir) {
  const written = [];
  const put = (rel, data) => {
    const file = path.join(outDir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, data);
    written.push(rel);
  };
  for (const [health, colour] of Object.entries(HEALTH_COLOURS)) {
    for (const size of [16, 32]) {
      put(`tray/${health}-${size}.png`, encodePng(size, size, trayIcon(size, colour)));
      put(`tray/${health}-${size}@2x.png`, encodePng(size * 2, size * 2, trayIcon(size * 2, colour)));
    }
  }
  const pngs = new Map();
  for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
    const png = encodePng(size, size, appIcon(size));
    pngs.set(size, png);
    put(`icons/png/${size}x${size}.png`, png);
  }
  put('icons/icon.png', pngs.get(512));
  put(
    'icons/icon.ico',
    encodeIco([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: pngs.get(size) }))),
  );
  put('icons/icon.icns', encodeIcns(pngs));
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const outDir = i > 0 ? process.argv[i + 1] : path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  if (outDir === undefined) {
    console.error('usage: generate-icons.mjs [--out DIR]');
    process.exit(2);
  }
  const written = generate(outDir);
  console.log(`wrote ${written.length} files under ${outDir}`);
}
