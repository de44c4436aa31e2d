/**
 * Where each command's code is: loaded on demand, so a command starts only what it needs. Kept apart from
 * the command table (./commands.ts), which the command modules read their types from: no import cycle.
 */
import type { CommandName } from './commands.ts';
import type { CommandModule } from './spec.ts';

export const LOADERS: Record<CommandName, () => Promise<CommandModule>> = {
  start: () => import('./commands/start.ts'),
  'register validate': () => import('./commands/register-validate.ts'),
  'register apply': () => import('./commands/register-apply.ts'),
  'register diff': () => import('./commands/register-diff.ts'),
  'register schema': () => import('./commands/register-schema.ts'),
  'notice render': () => import('./commands/notice-render.ts'),
  'notice publish': () => import('./commands/notice-publish.ts'),
  'notice diff': () => import('./commands/notice-diff.ts'),
  'ropa export': () => import('./commands/ropa-export.ts'),
  'admin create': () => import('./commands/admin-create.ts'),
  'apikey create': () => import('./commands/apikey.ts').then((m) => ({ run: m.create })),
  'apikey list': () => import('./commands/apikey.ts').then((m) => ({ run: m.list })),
  'apikey revoke': () => import('./commands/apikey.ts').then((m) => ({ run: m.revoke })),
  'apikey rotate': () => import('./commands/apikey.ts').then((m) => ({ run: m.rotate })),
  'secrets reseal': () => import('./commands/secrets-reseal.ts'),
  'demo seed': () => import('./commands/demo-seed.ts'),
  'dataset generate': () => import('./commands/dataset-generate.ts'),
  'dataset validate': () => import('./commands/dataset-validate.ts'),
  'dataset discover': () => import('./commands/dataset-discover.ts'),
  'audience hash': () => import('./commands/audience-hash.ts'),
  'audience export': () => import('./commands/audience-export.ts'),
  'connector validate': () => import('./commands/connector.ts').then((m) => ({ run: m.validate })),
  'connector import': () => import('./commands/connector.ts').then((m) => ({ run: m.importFides })),
  'retention run': () => import('./commands/retention-run.ts'),
  'breach record': () => import('./commands/breach.ts').then((m) => ({ run: m.record })),
  'breach update': () => import('./commands/breach.ts').then((m) => ({ run: m.update })),
  'breach scope': () => import('./commands/breach.ts').then((m) => ({ run: m.scope })),
  'breach list': () => import('./commands/breach.ts').then((m) => ({ run: m.list })),
  'hold place': () => import('./commands/hold.ts').then((m) => ({ run: m.place })),
  'hold lift': () => import('./commands/hold.ts').then((m) => ({ run: m.lift })),
  'hold list': () => import('./commands/hold.ts').then((m) => ({ run: m.list })),
  'analytics export': () => import('./commands/analytics.ts').then((m) => ({ run: m.exportCommand })),
  'analytics list': () => import('./commands/analytics.ts').then((m) => ({ run: m.list })),
  'requests daily': () => import('./commands/requests-daily.ts'),
  'audit verify': () => import('./commands/audit-verify.ts'),
  'audit checkpoint': () => import('./commands/audit-checkpoint.ts'),
  'systems check': () => import('./commands/systems-check.ts'),
  backup: () => import('./commands/backup.ts'),
  restore: () => import('./commands/restore.ts'),
};
