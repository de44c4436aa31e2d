import { formatFinding, parseDatasetSources } from '../../core/retention/annotations.ts';
import { isIsoDate } from '../../core/deadlines/iso-date.ts';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { DEMO_DATASETS_DIR } from '../../services/fulfilment/datasets.ts';
import {
  CHANGE_ACTIONS,
  type RetentionProgress,
  retentionToday,
  runRetention,
} from '../../services/retention/runRetention.ts';
import { OUTCOME_ACTIONS, type RetentionOutcome } from '../../services/retention/sweep.ts';
import { parseKeyring } from '../../core/secrets/envelope.ts';
import { describeOutside, outsideSummary } from '../retention-outside.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';
import { parseConnections, readDatasetSources, withSystems } from '../systems.ts';
import { withApp } from '../with-app.ts';

const VERB: Record<RetentionOutcome['action'], string> = {
  delete: 'deleted',
  anonymise: 'anonymised',
  mask: 'masked',
  'erase-due': 'erased (kept until due)',
  keep: 'kept under a legal rule',
  held: 'held (marker)',
  blocked: 'waiting for rows that point at them',
};

export function describeOutcome(o: RetentionOutcome, dryRun: boolean): string {
  // A field rule (detail 'fields') erases some fields of rows that stay.
  const fields = o.action === 'mask' && o.detail === 'fields';
  const verb = fields
    ? `${dryRun ? 'would have' : 'had'} fields erased`
    : dryRun
      ? `would be ${VERB[o.action]}`
      : VERB[o.action];
  const why =
    o.action === 'keep'
      ? `${o.rule}, after ${o.detail}`
      : o.action === 'held' || o.action === 'blocked'
        ? `${o.rule}, ${o.detail}`
        : o.rule;
  return `${o.rows} ${verb} (${why})`;
}

/**
 * ombud retention run: sweep the connected databases once for a day (default: today in the controller's
 * time zone): erase rows kept under a rule whose day has come, end the purpose rules the datasets
 * annotate. --dry-run counts and changes nothing. Every run is stored and audited.
 */
export const run: Run<(typeof COMMANDS)['retention run']> = async ({ values }, io) => {
  const dryRun = values['dry-run'];
  if (values.today !== undefined && !isIsoDate(values.today))
    throw new UsageError(`--today '${values.today}' is not a date; write YYYY-MM-DD, e.g. 2026-11-25.`);
  const connections = parseConnections(values.connection, values.demo, 'to sweep');
  return withApp(async (app) => {
    const reg = await app.registers.get();
    if (!reg) {
      io.err('ombud retention run: no register is stored; apply one first (ombud register apply DIR).');
      return 1;
    }
    const sources = await readDatasetSources(values.datasets ?? DEMO_DATASETS_DIR);
    const { datasets, findings } = parseDatasetSources(sources, { register: reg.index.register });
    for (const f of findings) (f.severity === 'error' || values.json ? io.err : io.out)(formatFinding(f));
    if (findings.some((f) => f.severity === 'error')) {
      io.err('ombud retention run: fix the dataset annotations above; nothing was swept.');
      return 1;
    }
    const realToday = retentionToday(reg.index, app.now());
    if (!dryRun && values.today && values.today > realToday)
      throw new UsageError(
        `--today ${values.today} is after today (${realToday}). A run erases what has ended by its day, so a later day would erase data early (bookkeeping records too). Use --dry-run to preview a later day.`,
      );
    for (const { key } of connections)
      if (!datasets.some((d) => d.fides_key === key))
        throw new UsageError(
          `no annotated dataset '${key}'; datasets: ${datasets.map((d) => d.fides_key).join(', ')}.`,
        );
    return withSystems(
      app,
      { demo: values.demo, connections, datasets, onDemo: () => io.progress("Opening the demo's systems …") },
      async ({ connectors, secret }) => {
        const started = Date.now();
        const soFar = () => `${Math.round((Date.now() - started) / 1000)} s`;
        let sweeping = '';
        // The report (stdout, as it goes) says what was done; the progress line (a terminal only) where it is.
        const report = values.json ? () => {} : io.out;
        const onProgress = (p: RetentionProgress) => {
          if (p.kind === 'database') {
            sweeping = `[${p.position + 1}/${p.total}] ${p.dataset}`;
            io.progress(`Sweeping ${sweeping} (${p.system}) … ${soFar()}`);
            report(`[${p.position + 1}/${p.total}] ${p.dataset} (${p.system})`);
          } else if (p.kind === 'collection') {
            io.progress(`Sweeping ${sweeping}: ${p.collection} done, ${soFar()}`);
            report(
              `  ${p.collection}: ${p.outcomes.length ? p.outcomes.map((o) => describeOutcome(o, dryRun)).join('; ') : 'nothing due'}`,
            );
          } else if (p.kind === 'committed')
            report(
              p.recovered
                ? '  committed by an earlier attempt (outcome read back from the database)'
                : `  ${dryRun ? 'counted' : 'committed'} in ${p.ms} ms`,
            );
          else io.err(`  ${p.dataset} failed: ${p.error}`);
        };
        const recipients = {
          callbackBaseUrl: app.config.publicUrl,
          ...(app.config.secretKeys ? { keyring: parseKeyring(app.config.secretKeys) } : {}),
        };
        const res = await runRetention(
          {
            db: app.db,
            actor: CLI_ACTOR,
            index: reg.index,
            datasets,
            connectors,
            secret,
            secretKeys: app.config.secretKeys,
            now: app.now,
            recipients,
          },
          {
            dryRun,
            ...(values.today ? { today: values.today } : {}),
            onProgress,
            onOutside: (p) => (p.status === 'failed' ? io.err : report)(describeOutside(p, dryRun)),
          },
        );
        io.progress('');
        const sum = (a: RetentionOutcome['action']) =>
          res.outcomes.filter((o) => o.action === a).reduce((n, o) => n + o.rows, 0);
        const code = res.status === 'done' ? 0 : 1;
        if (values.json) {
          printJson(io, {
            runId: res.runId,
            today: res.today,
            dryRun: res.dryRun,
            status: res.status,
            alreadyDone: res.alreadyDone,
            seconds: Math.round((Date.now() - started) / 100) / 10,
            totals: Object.fromEntries(OUTCOME_ACTIONS.map((a) => [a, sum(a)])),
            datasets: res.steps.map((s) => ({
              ...s,
              outcomes: res.outcomes
                .filter((o) => o.dataset === s.dataset)
                .map(({ collection, rule, action, detail, rows }) => ({
                  collection,
                  rule,
                  action,
                  detail,
                  rows,
                })),
            })),
            outside: res.outside,
          });
          return code;
        }
        const changed = CHANGE_ACTIONS.reduce((n, a) => n + sum(a), 0);
        io.out(
          `Run ${res.runId}${dryRun ? ' (dry run: nothing was changed)' : ''} for ${res.today}: ${res.status}. ` +
            `${dryRun ? 'Would delete' : 'Deleted'} ${sum('delete')}, anonymised ${sum('anonymise')}, masked ${sum('mask')}, ` +
            `erased when due ${sum('erase-due')}, kept under a legal rule ${sum('keep')}; held ${sum('held')}, waiting ${sum('blocked')}.` +
            (changed === 0 && !dryRun ? ' Nothing was due.' : ''),
        );
        if (res.outside.length) io.out(outsideSummary(res.outside, dryRun));
        return code;
      },
    );
  });
};
