/**
 * Ombud's icon: a white ring on the console's blue, as SVG (modern browsers, `<link rel="icon">`) and as a
 * 32×32 ICO holding a PNG (`/favicon.ico`, which browsers and crawlers ask for on every site). Both are
 * drawn here from the same shape, once per process.
 */
import { crc32, deflateSync } from 'node:zlib';

const BLUE = [0x1a, 0x56, 0xc4] as const;
const SIZE = 32;

export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1a56c4"/><circle cx="16" cy="16" r="8.5" fill="none" stroke="#fff" stroke-width="4"/></svg>`;

/** The RGBA pixel at (x, y) of the same shape: a rounded square, and the ring from radius 6.5 to 10.5. */
function pixel(x: number, y: number): [number, number, number, number] {
  const cx = x + 0.5 - SIZE / 2;
  const cy = y + 0.5 - SIZE / 2;
  const r = Math.hypot(cx, cy);
  // Outside the rounded corners (radius 7): transparent.
  const qx = Math.max(Math.abs(cx) - (SIZE / 2 - 7), 0);
  const qy = Math.max(Math.abs(cy) - (SIZE / 2 - 7), 0);
  if (Math.hypot(qx, qy) > 7) return [0, 0, 0, 0];
  return r >= 6.5 && r <= 10.5 ? [255, 255, 255, 255] : [...BLUE, 255];
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** The icon as a PNG (8-bit RGBA, no filter). */
export function faviconPng(): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < SIZE; y++) {
    const row = Buffer.alloc(1 + SIZE * 4);
    for (let x = 0; x < SIZE; x++) Buffer.from(pixel(x, y)).copy(row, 1 + x * 4);
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(6, 9); // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The icon as an ICO file with one 32×32 PNG image (the ICO format allows PNG payloads since Vista). */
export function faviconIco(): Buffer {
  const png = faviconPng();
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(SIZE, 6);
  header.writeUInt8(SIZE, 7);
  header.writeUInt8(0, 8); // no palette
  header.writeUInt8(0, 9);
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(header.length, 18);
  return Buffer.concat([header, png]);
}
