/**
 * The demo group: apply examples/nestit/register, publish each company's notice, and make
 * sure there is an administrator to sign in with. Idempotent: a second run changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type App, todayIn } from '../app.ts';
import { SYSTEM_ACTOR } from '../services/audit/auditLog.ts';
import { publishNotice } from '../services/notice/publishNotice.ts';
import { applyRegister } from '../services/register/applyRegister.ts';
import { readRegisterSources } from '../services/register/readRegisterDir.ts';
import { countUsers, createAdmin } from '../services/users/admins.ts';

export const DEMO_REGISTER_DIR = fileURLToPath(new URL('../../examples/nestit/register/', import.meta.url));
export const DEMO_ADMIN_EMAIL = 'dpo@nestit.example';

const addDays = (iso: string, days: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

export type DemoResult = {
  revision: number;
  registerChanged: boolean;
  published: string[];
  admin?: { email: string; password: string };
};

export async function loadDemo(app: App, opts: { registerDir?: string } = {}): Promise<DemoResult> {
  const sources = await readRegisterSources(opts.registerDir ?? DEMO_REGISTER_DIR);
  const applied = await applyRegister(app.db, SYSTEM_ACTOR, sources);
  const r = (await app.registers.get())!;
  const published: string[] = [];
  for (const org of r.index.register.organizations) {
    const today = todayIn(app.now(), org.timeZone);
    try {
      const res = await publishNotice(app.db, SYSTEM_ACTOR, { orgId: org.id, effectiveDate: today, today });
      if (res.published) published.push(`${org.id} v${res.version.version}`);
    } catch (err) {
      // A material change needs its announcement period: schedule it instead.
      if ((err as { code?: string }).code !== 'material-change-too-soon') throw err;
      const later = addDays(today, org.promises.materialChangeNoticeDays);
      const res = await publishNotice(app.db, SYSTEM_ACTOR, { orgId: org.id, effectiveDate: later, today });
      if (res.published) published.push(`${org.id} v${res.version.version} (from ${later})`);
    }
  }
  let admin: DemoResult['admin'];
  if ((await countUsers(app.db)) === 0) {
    const password = process.env.OMBUD_DEMO_PASSWORD ?? randomBytes(12).toString('base64url');
    await createAdmin(app.db, SYSTEM_ACTOR, {
      email: DEMO_ADMIN_EMAIL,
      password,
      name: 'Demo DPO',
      owner: true,
    });
    admin = { email: DEMO_ADMIN_EMAIL, password };
  }
  return { revision: applied.revision, registerChanged: applied.changed, published, admin };
}
