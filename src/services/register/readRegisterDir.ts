import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type ParseResult, parseRegisterFiles, type SourceFile } from '../../core/register/parse.ts';
import { validationError } from '../../core/errors.ts';
import { SYSTEMS_FILE_NAMES } from '../../core/systems/config.ts';

async function walk(dir: string, top = true): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(p, false)));
    // The systems file beside the register (docs/systems.md) is not a part of it.
    else if (top && (SYSTEMS_FILE_NAMES as readonly string[]).includes(entry.name)) continue;
    else if (/\.ya?ml$/.test(entry.name)) out.push(p);
  }
  return out;
}

/** Read every .yaml/.yml file below dir (paths reported relative to the working directory). */
export async function readRegisterSources(dir: string): Promise<SourceFile[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw validationError(
      'register-dir-missing',
      `'${dir}' is not a folder.`,
      [],
      'Give the folder that holds the register YAML files, e.g. examples/nestit/register.',
    );
  const files = (await walk(dir)).sort();
  return Promise.all(
    files.map(async (p) => ({ path: relative(process.cwd(), p) || p, text: await readFile(p, 'utf8') })),
  );
}

export async function readRegisterDir(dir: string): Promise<ParseResult & { sources: SourceFile[] }> {
  const sources = await readRegisterSources(dir);
  return { ...parseRegisterFiles(sources), sources };
}
