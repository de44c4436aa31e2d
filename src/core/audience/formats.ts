/**
 * The networks' upload formats, pure: the hashes of a segment (or of its delta) as the file the network
 * takes. Files hold only hashes (lowercase hex SHA-256), never a plain identifier.
 *
 * - Google Ads Customer Match: CSV with the English headers "Email" and "Phone" (hashed values are accepted
 *   under the same headers; https://support.google.com/google-ads/answer/7659867).
 * - Meta custom audiences (customer list): CSV with the identifiers "email" and "phone" as headers.
 * - Google Data Manager API: the JSON body of an ingest (add) or remove request: `audienceMembers` of
 *   `userData.userIdentifiers` (`emailAddress`, `phoneNumber`), `encoding: "HEX"`
 *   (https://developers.google.com/data-manager/api/reference/rest/v1/audienceMembers).
 */
import type { HashField, NetworkRule } from './hashing.ts';

export type HashLists = Partial<Record<HashField, readonly string[]>>;
export type UploadFile = { extension: 'csv' | 'json'; mediaType: string; rows: number; content: string };

const CSV_HEADERS: Record<'google-ads' | 'meta', Record<HashField, string>> = {
  'google-ads': { email: 'Email', phone: 'Phone' },
  meta: { email: 'email', phone: 'phone' },
};
const DM_KEY: Record<HashField, string> = { email: 'emailAddress', phone: 'phoneNumber' };

export function uploadFile(rule: NetworkRule, fields: readonly HashField[], lists: HashLists): UploadFile {
  const rows = fields.reduce((n, f) => n + (lists[f]?.length ?? 0), 0);
  if (rule === 'google-data-manager') {
    const audienceMembers = fields.flatMap((f) =>
      (lists[f] ?? []).map((h) => ({ userData: { userIdentifiers: [{ [DM_KEY[f]]: h }] } })),
    );
    return {
      extension: 'json',
      mediaType: 'application/json',
      rows,
      content: `${JSON.stringify({ encoding: 'HEX', audienceMembers })}\n`,
    };
  }
  // One identifier per row; the other columns of the row stay empty.
  const headers = CSV_HEADERS[rule];
  const lines = [fields.map((f) => headers[f]).join(',')];
  fields.forEach((f, col) => {
    for (const h of lists[f] ?? []) lines.push(fields.map((_, c) => (c === col ? h : '')).join(','));
  });
  return { extension: 'csv', mediaType: 'text/csv; charset=utf-8', rows, content: `${lines.join('\n')}\n` };
}

/** Sorted lowercase hex hashes ↔ the 32-byte digests stored for the next delta. */
export function packHashes(hashes: readonly string[]): Buffer {
  const out = Buffer.allocUnsafe(hashes.length * 32);
  hashes.forEach((h, i) => out.write(h, i * 32, 32, 'hex'));
  return out;
}
export function unpackHashes(buf: Uint8Array): string[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: string[] = new Array(b.length / 32);
  for (let i = 0; i < out.length; i++) out[i] = b.toString('hex', i * 32, i * 32 + 32);
  return out;
}
