import { writeFile } from 'node:fs/promises';
import { todayIn } from '../../app.ts';
import { precondition } from '../../core/errors.ts';
import { formatFindings } from '../../core/register/parse.ts';
import { RegisterIndex } from '../../core/register/register-index.ts';
import type { Language } from '../../core/register/schema.ts';
import {
  buildNotice,
  type NoticeDocument,
  noticeHtmlDocument,
  noticeMarkdown,
} from '../../core/notice/render.ts';
import { noticeVersions } from '../../services/notice/publishNotice.ts';
import { currentRegister } from '../../services/register/currentRegister.ts';
import { readRegisterDir } from '../../services/register/readRegisterDir.ts';
import type { COMMANDS } from '../commands.ts';
import type { Run } from '../spec.ts';
import { withApp } from '../with-app.ts';

export const run: Run<(typeof COMMANDS)['notice render']> = async ({ values }, io) => {
  const lang: Language = values.lang;
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
};
