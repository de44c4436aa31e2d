/**
 * Reading a plain-text mail as nodemailer writes it (one text part; quoted-printable or base64; RFC 2047
 * encoded words in the subject), for the demo's SMTP catcher. Pure: no I/O. Not a general MIME parser:
 * a multipart mail keeps its raw body.
 */

function decodeQp(s: string): Buffer {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const hex = text.slice(i + 1, i + 3);
    if (c === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words (=?utf-8?Q?…?= and =?utf-8?B?…?=), adjacent words joined. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QB])\?(.*?)\?=/gi, (_m, _cs: string, enc: string, s: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(s, 'base64').toString('utf8')
        : decodeQp(s.replace(/_/g, ' ')).toString('utf8'),
    );
}

export type ParsedMail = { subject: string; from: string; text: string };

export function parseMail(raw: string): ParsedMail {
  const split = /\r?\n\r?\n/.exec(raw);
  const head = split ? raw.slice(0, split.index) : raw;
  const body = split ? raw.slice(split.index + split[0].length) : '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(unfolded)?.[1]?.trim() ?? '';
  const cte = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    cte === 'quoted-printable'
      ? decodeQp(body).toString('utf8')
      : cte === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
        : body;
  return {
    subject: decodeHeader(header('Subject')),
    from: decodeHeader(header('From')),
    text: text.replace(/\r\n/g, '\n'),
  };
}

/** "anna.svensson@example.org" → "a***n@example.org": enough to tell mails apart, not to read the address. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  const local = address.slice(0, at);
  const masked = local.length <= 2 ? `${local[0]}***` : `${local[0]}***${local[local.length - 1]}`;
  return `${masked}${address.slice(at)}`;
}
