import type { PGlite } from '@electric-sql/pglite';
import { openApp, withConfig } from '../../app.ts';
import { createLogger, logFormatOf } from '../../log.ts';
import { dataKeyringNotice } from '../../services/secrets/keyringFile.ts';
import { createWorkers, stopWorkers } from '../../workers.ts';
import { loadConfig } from '../../config.ts';
import { loadDemo } from '../../demo/loadDemo.ts';
import { buildServer } from '../../http/server.ts';
import { type DemoSystems, openDemoSystems } from '../../demo/systems/embedded.ts';
import { connectDemoSaas } from '../../demo/saas/connect.ts';
import { type DemoVendors, startDemoVendors } from '../../demo/saas/vendors.ts';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { keyringOf } from '../../services/users/totp.ts';
import { startPropagation } from '../../services/consent/propagator.ts';
import { pdfRenderer } from '../../services/requests/fulfilRequest.ts';
import type { OpenSystems } from '../../services/systems/open.ts';
import { startAuditCheckpoints } from '../../services/audit/checkpoints.ts';
import { embeddedRoleNote, once, queueRole, roleParts, startSystemsWork, workerReady } from '../roles.ts';
import { type MailCatcher, startMailCatcher } from '../../services/mail/catcher.ts';
import type { COMMANDS } from '../commands.ts';
import { groupInstallation } from '../groupSystems.ts';
import type { Run } from '../spec.ts';

export const run: Run<(typeof COMMANDS)['start']> = async ({ values }, io) => {
  const config = loadConfig();
  const role = values.role;
  const runs = roleParts(role);
  const note = config.databaseUrl ? undefined : embeddedRoleNote(role);
  if (note) io.err(note);
  io.out(
    `Ombud${role === 'all' ? '' : ` (${role})`}: opening ${config.databaseUrl ? 'PostgreSQL server' : `embedded database in ${config.dataDir}`} …`,
  );
  // The installation secret is resolved here, once (without OMBUD_SECRET, the stored one consent uses).
  // One logger for the server and the workers (ids and codes only): JSON lines, or readable on a terminal.
  const logger = createLogger({ level: config.logLevel, format: logFormatOf(config.logFormat) });
  let app = await openApp(config, { log: logger });
  if (app.auditKeyCreated)
    io.out(
      `Audit chain key created in ${app.auditKeyCreated} (no OMBUD_SECRET_KEYS): keep it, and back it up apart from the database; without it the audit log cannot be verified.`,
    );
  const keyring = dataKeyringNotice(app.config, app.dataKeysCreated);
  if (keyring) io.out(keyring);
  // The demo group, unless the group's own register or systems are given (src/cli/groupSystems.ts).
  const withDemo = !values['no-demo'] && !values.register && !values.systems;
  let groupSystems: OpenSystems | undefined;
  if (!withDemo) {
    // The register applied once at a time across the processes starting together.
    const opened = await once(app, () => groupInstallation(app, values, io)).catch(async (err) => {
      await app.close();
      throw err;
    });
    if (opened === false) {
      await app.close();
      return 1;
    }
    groupSystems = opened;
  }
  if (withDemo) {
    // Once at a time across the processes starting together: the first loads it, the others find it.
    const demo = await once(app, () => loadDemo(app));
    io.out(
      `Demo group loaded: register revision ${demo.revision}${demo.registerChanged ? ' (new)' : ''}${demo.published.length ? `; published ${demo.published.join(', ')}` : ''}.`,
    );
    if (demo.admin) io.out(`Console sign-in (shown once): ${demo.admin.email} / ${demo.admin.password}`);
  }
  // Without SMTP_URL the demo's own SMTP catcher receives the mail; the console shows it (Inbox (demo)).
  let catcher: MailCatcher | undefined;
  if (!config.smtpUrl) {
    const port = Number(process.env.OMBUD_MAIL_CATCHER_PORT || 2525);
    catcher = await startMailCatcher(app.db, { port, now: app.now }).catch((err: { code?: string }) => {
      if (err.code !== 'EADDRINUSE') throw err;
      io.out(`Port ${port} is in use: the mail catcher takes a free port instead.`);
      return startMailCatcher(app.db, { port: 0, now: app.now });
    });
    app = withConfig(app, { smtpUrl: catcher.url });
  }
  // The background workers live apart from the App; each start registers itself here.
  const workers = createWorkers();
  await startPropagation(app, workers, queueRole(app, role));
  // The demo's own systems (web shop, customer service), embedded or on the DATABASE_URL server, and the
  // fulfilment worker that carries verified requests out in them.
  let demoSystems: DemoSystems | undefined;
  if (withDemo) {
    const t0 = Date.now();
    demoSystems = await once(app, () =>
      openDemoSystems({
        databaseUrl: config.databaseUrl,
        embedded: (app.db as { instance?: PGlite }).instance,
        current: app.now(),
      }),
    );
    io.out(
      `Demo systems (web shop, customer service) ${config.databaseUrl ? 'on the PostgreSQL server' : 'embedded'}: ${demoSystems.seeded ? `created and seeded with ${demoSystems.customers} customers` : 'opened'} in ${Date.now() - t0} ms. Try a request for ${demoSystems.sample.email}.`,
    );
  }
  // The demo's mail provider and CRM as SaaS products on loopback (Mailchimp's and HubSpot's API shapes),
  // told through the catalogue's connectors instead of by manual tasks (src/demo/saas/). Served by the
  // processes that serve HTTP: the address stored for the connectors is the last such process's, and a
  // worker (which may be stopped while the others run on) must not put its own there.
  let vendors: DemoVendors | undefined;
  if (demoSystems && app.config.secretKeys && runs.http) {
    const port = Number(process.env.OMBUD_DEMO_SAAS_PORT || 2526);
    vendors = await startDemoVendors({ customers: demoSystems.customers, port });
    const url = vendors.url;
    const ring = keyringOf(app.config.secretKeys);
    await once(app, () => connectDemoSaas(app.db, ring, CLI_ACTOR, url));
    io.out(
      `Demo SaaS: the mail provider (Mailchimp's API) and the CRM (HubSpot's API) at ${url}, reached through connectors/mailchimp.yaml and connectors/hubspot.yaml.`,
    );
  }
  // Fulfilment, retention and the subject locator over the systems, the demo's or the group's own: queued
  // by an API process, run by a worker.
  const systems = demoSystems ?? groupSystems;
  if (systems) {
    await startSystemsWork(app, workers, systems, role);
    const pdf = pdfRenderer();
    io.out(
      `Fulfilment: recipients (Art. 19) are told through their HTTP connector or as tasks at ${config.publicUrl}/console/fulfilment/tasks; ${'pdf' in pdf ? 'extracts as HTML, JSON and PDF' : `no PDF extracts: ${pdf.pdfUnavailable}`}.`,
    );
  }
  const server = runs.http ? await buildServer(app, { workers, loggerInstance: logger }) : undefined;
  await server?.listen({ port: config.port, host: config.host });
  // The daily signed checkpoint of the audit log (a timer in the workers, not a schedule in the database).
  const checkpoints = runs.jobs
    ? startAuditCheckpoints(app, app.auditTrust!, {
        onCheckpoint: (r) =>
          io.out(
            `Audit checkpoint signed: ${r.checkpoint.count} entries up to entry ${r.checkpoint.seq}, appended to ${r.file}${r.createdKey ? ` (new signing key ${r.createdKey})` : ''}.`,
          ),
        onError: (err) => io.err(`Audit checkpoint not made: ${(err as Error).message}`),
      })
    : undefined;
  const base = config.publicUrl;
  // A worker has no addresses to give: it says what it runs instead.
  const announce = server ? io.out : () => io.out(workerReady(systems !== undefined));
  announce(
    [
      '',
      `  Privacy center   ${base}/privacy`,
      ...(withDemo ? [`  Notice (NestIT)  ${base}/privacy/nestit-group`] : []),
      `  Admin console    ${base}/console`,
      `  API docs         ${base}/api/docs   (OpenAPI: ${base}/api/openapi.json)`,
      `  Health           ${base}/healthz   (ready: ${base}/readyz, metrics: ${base}/metrics)`,
      catcher
        ? `  Mail (SMTP)      ${catcher.url}   (caught mail: ${base}/console/inbox)`
        : `  Mail (SMTP)      ${config.smtpUrl?.replace(/\/\/[^@/]*@/, '//***@')}`,
      ...(config.sso
        ? [
            `  Single sign-on   ${config.sso.providers.map((p) => `${p.name} (${base}/console/sso/${p.id}/callback)`).join(', ')}${config.sso.only ? '; passwords off' : ''}`,
          ]
        : []),
      ...(demoSystems
        ? [
            `  Demo systems     web shop: ${demoSystems.databases.webshop}, customer service: ${demoSystems.databases['customer-service']}   (${config.databaseUrl ? 'databases on the PostgreSQL server' : 'schemas of the embedded database'})`,
          ]
        : []),
      // A blank line after the block too: the log lines that follow stay apart from it.
      '',
      '',
    ].join('\n'),
  );
  const stop = async () => {
    checkpoints?.stop();
    await server?.close();
    await stopWorkers(workers);
    await systems?.close();
    await vendors?.close();
    await catcher?.close();
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => {});
};
