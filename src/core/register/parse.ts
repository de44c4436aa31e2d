/**
 * From YAML texts to a merged register, with every problem located at file:line:column.
 * Pure: the caller reads the files (src/services/register/readRegisterDir.ts).
 */
import { type Document, LineCounter, parseDocument } from 'yaml';
import { yamlPosition } from '../yamlPosition.ts';
import type { z } from 'zod';
import {
  groupSchema,
  type Register,
  type RegisterFile,
  registerFileSchema,
  SECTIONS,
  type Section,
} from './schema.ts';
import { type Finding, validateRegister } from './validate.ts';

export type SourceFile = { path: string; text: string };
export type LocatedFinding = Finding & { file: string; line: number; column: number };
export type ParseResult = {
  register?: Register;
  findings: LocatedFinding[];
  ok: boolean;
};

type Parsed = { file: SourceFile; doc: Document; lines: LineCounter };

export function parseRegisterFiles(files: SourceFile[]): ParseResult {
  const findings: LocatedFinding[] = [];
  const parsed: Parsed[] = [];
  const sorted = [...files].sort((a, b) => a.path.localeCompare(b.path));

  for (const file of sorted) {
    const lines = new LineCounter();
    const doc = parseDocument(file.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = lines.linePos(e.pos[0]);
        findings.push({
          severity: 'error',
          code: 'yaml-syntax',
          message: `YAML syntax error: ${e.message.split('\n')[0]}`,
          hint: 'Fix the indentation or quoting at this place; a value containing ": " or "#" needs quotes.',
          path: [],
          target: file.path,
          file: file.path,
          line: pos.line,
          column: pos.col,
        });
      }
      continue;
    }
    parsed.push({ file, doc, lines });
  }

  const merged: Register = {
    group: undefined as unknown as Register['group'],
    organizations: [],
    authorities: [],
    jointArrangements: [],
    systems: [],
    categoryGroups: [],
    dataCategories: [],
    purposes: [],
    retentionRules: [],
    cookieCategories: [],
    cookies: [],
    acknowledgedFindings: [],
    audiences: [],
  };
  // Where each merged entry came from: section -> merged index -> [parsed file, index in file].
  const origin = new Map<Section, [Parsed, number][]>(SECTIONS.map((s) => [s, []]));
  let groupFrom: Parsed | undefined;
  let schemaErrors = false;
  const dropped: Dropped = { ids: new Set(), unnamed: false, group: false };

  for (const p of parsed) {
    const js = p.doc.toJS() ?? {};
    if (typeof js !== 'object' || Array.isArray(js)) {
      findings.push({
        severity: 'error',
        code: 'not-a-mapping',
        message: 'A register file must be a mapping of sections (organizations:, purposes:, …).',
        hint: 'Start the file with a section name such as "purposes:".',
        path: [],
        target: p.file.path,
        file: p.file.path,
        line: 1,
        column: 1,
      });
      continue;
    }
    const result = registerFileSchema.safeParse(js);
    let data: RegisterFile;
    if (result.success) data = result.data;
    else {
      for (const issue of result.error.issues) {
        const path = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
        const where = yamlPosition(p, issue.code === 'unrecognized_keys' ? [...path, issue.keys[0]!] : path);
        findings.push({
          severity: 'error',
          code: issue.code === 'unrecognized_keys' ? 'unknown-field' : 'schema',
          message: `${path.join('.') || '(file)'}: ${describeIssue(issue)}`,
          hint: hintFor(issue),
          path,
          target: p.file.path,
          file: p.file.path,
          ...where,
        });
      }
      schemaErrors = true;
      data = salvage(js as Record<string, unknown>, dropped);
    }
    if (data.group) {
      if (groupFrom) {
        findings.push({
          severity: 'error',
          code: 'duplicate-group',
          message: `The group is declared twice (also in ${groupFrom.file.path}).`,
          hint: 'Keep one group: section in one file.',
          path: ['group'],
          target: p.file.path,
          file: p.file.path,
          ...yamlPosition(p, ['group']),
        });
      }
      merged.group = data.group;
      groupFrom = p;
    }
    for (const section of SECTIONS) {
      const items = data[section] as unknown[] | undefined;
      if (!items) continue;
      items.forEach((item, i) => {
        if (item === SKIPPED) return;
        (merged[section] as unknown[]).push(item);
        origin.get(section)!.push([p, i]);
      });
    }
  }

  // Schema errors alone (every file parses): the checks beyond the schema still run on the entries that
  // are valid, so one run reports both. Not when a file did not parse or the group itself is invalid.
  if (
    findings.length > 0 &&
    (!schemaErrors || findings.some((f) => f.code !== 'schema' && f.code !== 'unknown-field'))
  )
    return { findings, ok: false };
  if (schemaErrors && dropped.group) return { findings, ok: false };
  if (!merged.group) {
    return {
      ok: false,
      findings: [
        ...findings,
        {
          severity: 'error',
          code: 'missing-group',
          message: 'No file declares the group.',
          hint: 'Add a file (e.g. group.yaml) with "group: { id: …, name: … }".',
          path: ['group'],
          target: 'group',
          file: sorted[0]?.path ?? '(no files)',
          line: 1,
          column: 1,
        },
      ],
    };
  }
  merged.group = groupSchema.parse(merged.group);

  for (const f of validateRegister(merged)) {
    if (schemaErrors && refersToDropped(f, dropped)) continue;
    const [section, index, ...rest] = f.path;
    const o = origin.get(section as Section)?.[index as number];
    if (o) {
      const [p, fileIndex] = o;
      findings.push({ ...f, file: p.file.path, ...yamlPosition(p, [section as string, fileIndex, ...rest]) });
    } else {
      const p = groupFrom!;
      findings.push({ ...f, file: p.file.path, ...yamlPosition(p, f.path) });
    }
  }
  const ok = !findings.some((f) => f.severity === 'error');
  return { register: ok ? merged : undefined, findings, ok };
}

/** What the salvage of files with schema errors left out: the ids of the entries, and whether any had none. */
type Dropped = { ids: Set<string>; unnamed: boolean; group: boolean };
/** An entry left out of the merged register (its position in the file is kept). */
const SKIPPED = Symbol('skipped');

const itemSchema = (section: Section): z.ZodType =>
  (registerFileSchema.shape[section] as unknown as z.ZodOptional<z.ZodArray<z.ZodType>>).unwrap().element;

/**
 * The valid part of a file that failed the schema (its issues are reported already): each entry of each
 * section that passes its own schema; the others are left out, and their ids remembered.
 */
function salvage(js: Record<string, unknown>, dropped: Dropped): RegisterFile {
  const out: Record<string, unknown> = {};
  if (js.group !== undefined) {
    const g = groupSchema.safeParse(js.group);
    if (g.success) out.group = g.data;
    else dropped.group = true;
  }
  for (const section of SECTIONS) {
    const raw = js[section];
    if (raw === undefined) continue;
    if (!Array.isArray(raw)) {
      dropped.unnamed = true;
      continue;
    }
    const schema = itemSchema(section);
    out[section] = raw.map((item) => {
      const r = schema.safeParse(item);
      if (r.success) return r.data;
      const o = item && typeof item === 'object' ? (item as Record<string, unknown>) : {};
      const name = o.id ?? o.key ?? o.name;
      if (typeof name === 'string') dropped.ids.add(name);
      else dropped.unnamed = true;
      return SKIPPED;
    });
  }
  return out as RegisterFile;
}

const REFERENCE_CODES = new Set(['unresolved-reference', 'unknown-category']);

/**
 * A finding beyond the schema that only says an entry left out is missing (a reference to it): the
 * schema error of the entry is the finding. When an entry without a readable id was left out, every
 * such finding is held back: it may be the one referred to.
 */
function refersToDropped(f: Finding, dropped: Dropped): boolean {
  if (!REFERENCE_CODES.has(f.code)) return false;
  if (dropped.unnamed) return true;
  return [...dropped.ids].some((id) => f.message.includes(`'${id}'`));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}.`;
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined'))
    return `this field is required (${issue.expected}).`;
  return issue.message.endsWith('.') ? issue.message : `${issue.message}.`;
}

function hintFor(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return 'Check the spelling against schema/register.schema.json, or remove the field.';
  if (issue.code === 'invalid_type') return `Give a value of type ${issue.expected}.`;
  if (issue.code === 'invalid_value') return `Use one of: ${issue.values.map(String).join(', ')}.`;
  return 'See schema/register.schema.json for the expected form.';
}

/** Render findings the way compilers do: file:line:column severity code: message. */
export function formatFindings(findings: LocatedFinding[]): string {
  return findings
    .map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.code}: ${f.message}\n    fix: ${f.hint}`)
    .join('\n');
}
