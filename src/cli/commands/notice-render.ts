import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { todayIn } from '../../app.ts';
import { precondition } from '../../core/errors.ts';
import { formatFindings } from '../../core/register/parse.ts';
import { RegisterIndex } from '../../core/register/register-index.ts';
import { LANGUAGES, type Language } from '../../core/register/schema.ts';
import {
  buildNotice,
  type NoticeDocument,
  noticeHtmlDocument,
  noticeMarkdown,
} from '../../core/notice/render.ts';
import { noticeVersions } from '../../services/notice/publishNotice.ts';
import { currentRegister } from '../../services/register/currentRegister.ts';
import { readRegisterDir } from '../../services/register/readRegisterDir.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      lang: { type: 'string', default: 'en' },
      format: { type: 'string', default: 'html' },
      out: { type: 'string', short: 'o' },
      register: {
        type: 'string',
        description: 'render from a register folder instead of the stored register',
      },
    },
  });
  if (!values.org) {
    io.err('ombud notice render: --org ID is required, e.g. --org nestit-group');
    return 2;
  }
  if (!(LANGUAGES as readonly string[]).includes(values.lang!)) {
    io.err(`ombud notice render: --lang must be one of ${LANGUAGES.join(', ')} (got '${values.lang}')`);
    return 2;
  }
  if (values.format !== 'html' && values.format !== 'md') {
    io.err(`ombud notice render: --format must be html or md (got '${values.format}')`);
    return 2;
  }
  const lang = values.lang as Language;
  let doc: NoticeDocument;
  if (values.register) {
    const parsed = await readRegisterDir(values.register);
    if (!parsed.ok) {
      io.err(formatFindings(parsed.findings.filter((f) => f.severity === 'error')));
      return 1;
    }
    const ix = new RegisterIndex(parsed.register!);
    if (!ix.organization(values.org)) {
      io.err(
        `ombud notice render: no organization '${values.org}'; the register has ${[...ix.organizations.keys()].join(', ')}`,
      );
      return 1;
    }
    doc = buildNotice(ix, values.org, lang);
  } else {
    doc = await withApp(async (app) => {
      const stored = await currentRegister(app.db);
      if (!stored)
        throw precondition(
          'no-register',
          'No register is stored.',
          'Run `ombud register apply DIR`, or pass --register DIR.',
        );
      const ix = new RegisterIndex(stored.register);
      const org = ix.organization(values.org!);
      if (!org)
        throw precondition(
          'unknown-organization',
          `No organization '${values.org}'.`,
          `Use one of: ${[...ix.organizations.keys()].join(', ')}.`,
        );
      const history = (await noticeVersions(app.db, org.id)).map((v) => ({
        version: v.version,
        effectiveDate: v.effectiveDate,
        material: v.material,
        changes: v.changes,
      }));
      return buildNotice(ix, org.id, lang, history, todayIn(app.now(), org.timeZone));
    });
  }
  const text = values.format === 'md' ? noticeMarkdown(doc) : noticeHtmlDocument(doc);
  if (values.out) {
    await writeFile(values.out, text);
    io.err(`Wrote ${values.out}`);
  } else io.out(text);
  return 0;
}
