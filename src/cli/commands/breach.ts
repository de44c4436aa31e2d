/**
 * ombud breach record | update | scope | list: personal data breaches from the command line (src/services/breaches).
 * Scoping counts in the group's databases, so it takes the same connections as `ombud hold place`
 * (--connection KEY=URL for each annotated dataset, or --demo); recording and listing read Ombud's
 * database only.
 */
import { readFile } from 'node:fs/promises';
import { clockWords } from '../../core/breaches/clock.ts';
import { SYSTEM_PRINCIPAL } from '../../core/policies/permissions.ts';
import { formatFinding, parseDatasetSources } from '../../core/retention/annotations.ts';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { listBreaches } from '../../services/breaches/listBreaches.ts';
import {
  breachChange,
  breachInput,
  recordBreach,
  updateBreach,
} from '../../services/breaches/recordBreach.ts';
import { scopeBreach } from '../../services/breaches/scopeBreach.ts';
import { clockOf } from '../../services/breaches/store.ts';
import { DEMO_DATASETS_DIR } from '../../services/fulfilment/datasets.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';
import { parseConnections, readDatasetSources, withSystems } from '../systems.ts';
import { withApp } from '../with-app.ts';

const caller = { principal: SYSTEM_PRINCIPAL, actor: CLI_ACTOR };

export const record: Run<(typeof COMMANDS)['breach record']> = async ({ values }, io) => {
  const parsed = breachInput.safeParse(JSON.parse(await readFile(values.file, 'utf8')));
  if (!parsed.success) {
    for (const i of parsed.error.issues) io.err(`${i.path.join('.') || '(file)'}: ${i.message}`);
    return 1;
  }
  return withApp(async (app) => {
    const reg = await app.registers.get();
    const orgIds = reg?.index.register.organizations.map((o) => o.id) ?? [];
    const b = await recordBreach(app, caller, { orgIds }, parsed.data);
    const c = clockOf(b, app.now());
    if (values.json)
      printJson(io, { id: b.id, reference: b.reference, deadline: c.deadline.toISOString(), clock: c.state });
    else
      io.out(`Recorded ${b.reference} (${b.id}): notify by ${c.deadline.toISOString()} (${clockWords(c)}).`);
    return 0;
  });
};

export const update: Run<(typeof COMMANDS)['breach update']> = async ({ values, positionals }, io) => {
  const ref = positionals[0]!;
  const parsed = breachChange.safeParse(JSON.parse(await readFile(values.file, 'utf8')));
  if (!parsed.success) {
    for (const i of parsed.error.issues) io.err(`${i.path.join('.') || '(file)'}: ${i.message}`);
    return 1;
  }
  return withApp(async (app) => {
    const reg = await app.registers.get();
    const orgIds = reg?.index.register.organizations.map((o) => o.id) ?? [];
    const [row] = await app.db.query<{ id: string; scope: unknown }>(
      'SELECT id, scope FROM breaches WHERE id::text = $1 OR reference = $1',
      [ref],
    );
    if (!row) {
      io.err(`no breach '${ref}' (see ombud breach list).`);
      return 1;
    }
    const b = await updateBreach(app, caller, { orgIds }, row.id, parsed.data);
    const changed = Object.keys(parsed.data).sort();
    const scopeCleared = row.scope !== null && b.scope === null;
    if (values.json) printJson(io, { id: b.id, reference: b.reference, changed, scopeCleared });
    else
      io.out(
        `Changed ${b.reference}: ${changed.join(', ')}.${scopeCleared ? ` The scope was cleared: ombud breach scope ${b.reference} …` : ''}`,
      );
    return 0;
  });
};

export const scope: Run<(typeof COMMANDS)['breach scope']> = async ({ values, positionals }, io) => {
  const ref = positionals[0]!;
  const connections = parseConnections(values.connection, values.demo, 'count the people affected');
  return withApp(async (app) => {
    const reg = await app.registers.get();
    if (!reg) {
      io.err('no register is stored; apply one first (ombud register apply DIR).');
      return 1;
    }
    const [row] = await app.db.query<{ id: string }>(
      'SELECT id FROM breaches WHERE id::text = $1 OR reference = $1',
      [ref],
    );
    if (!row) throw new UsageError(`no breach '${ref}' (see ombud breach list).`);
    const { datasets, findings } = parseDatasetSources(
      await readDatasetSources(values.datasets ?? DEMO_DATASETS_DIR),
      {
        register: reg.index.register,
      },
    );
    const errors = findings.filter((f) => f.severity === 'error');
    for (const f of errors) io.err(formatFinding(f));
    if (errors.length) return 1;
    return withSystems(app, { demo: values.demo, connections, datasets }, async ({ connectors }) => {
      const orgIds = reg.index.register.organizations.map((o) => o.id);
      const b = await scopeBreach(
        { db: app.db, now: app.now, index: reg.index, systems: { datasets, connectors } },
        caller,
        { orgIds },
        row.id,
      );
      const s = b.scope!;
      if (values.json) printJson(io, s);
      else {
        io.out(`${b.reference}: ${s.subjects} people affected.`);
        for (const c of s.controllers)
          io.out(
            `  ${c.orgId}: ${c.subjects} people, ${c.records} records; notify ${c.authorityId ?? '(no authority)'} in ${c.lang}`,
          );
        io.out(
          `  categories: ${s.categories.map((c) => `${c.key}${c.special ? ' (Art. 9)' : ''}`).join(', ')}`,
        );
        io.out(`  purposes: ${s.purposes.join(', ')}`);
      }
      return 0;
    });
  });
};

export const list: Run<(typeof COMMANDS)['breach list']> = async ({ values }, io) =>
  withApp(async (app) => {
    const now = app.now();
    const breaches = (await listBreaches(app, 'all', { orgIds: [] })).map((b) => {
      const c = clockOf(b, now);
      return {
        id: b.id,
        reference: b.reference,
        title: b.title,
        awareAt: b.awareAt.toISOString(),
        deadline: c.deadline.toISOString(),
        clock: c.state,
        words: clockWords(c),
        subjects: b.scope?.subjects ?? null,
      };
    });
    if (values.json) printJson(io, { breaches });
    else if (!breaches.length) io.out('No breach recorded.');
    else
      for (const b of breaches)
        io.out(`${b.reference}  ${b.clock.padEnd(12)} ${b.words.padEnd(22)} ${b.title}`);
    return 0;
  });
