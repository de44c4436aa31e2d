/**
 * Retention outside the group's SQL databases: which register systems a retention run must ask (through
 * their HTTP connector, or as a manual task), under which purpose rule, and what to ask on a day. Pure:
 * the day, the register and the systems that have an SQL dataset are passed in.
 *
 * A system is asked when a purpose whose retention is a purpose rule names it (under `systems` or
 * `recipients`), it is run by the group (`internal`) or acts on the group's instructions (`processor`),
 * and no connected SQL dataset sweeps it. Controllers, authorities and the group companies themselves
 * decide their own retention (they are told of erasures under Art. 19, not asked to sweep).
 */
import { createHash } from 'node:crypto';
import { addDays, type IsoDate } from '../deadlines/iso-date.ts';
import type { Register, RetentionRule } from '../register/schema.ts';
import { expiredBefore } from './expiry.ts';

/** The system roles a run asks: the group's own and its processors. */
export const ASKED_ROLES = ['internal', 'processor'] as const;

/** One system under one purpose rule, with the purposes that put it there. */
export type OutsideTarget = { system: string; rule: string; purposes: string[] };

export function outsideTargets(
  register: Pick<Register, 'systems' | 'purposes' | 'retentionRules'>,
  sqlSystems: ReadonlySet<string>,
): OutsideTarget[] {
  const rules = new Map(register.retentionRules.map((r) => [r.id, r]));
  const roles = new Map(register.systems.map((s) => [s.id, s.role]));
  const out = new Map<string, OutsideTarget>();
  for (const p of register.purposes) {
    const rule = p.retention ? rules.get(p.retention) : undefined;
    if (rule?.kind !== 'purpose') continue;
    for (const system of new Set([...p.systems, ...p.recipients])) {
      const role = roles.get(system);
      if (!role || !(ASKED_ROLES as readonly string[]).includes(role) || sqlSystems.has(system)) continue;
      const key = `${system} ${rule.id}`;
      const t = out.get(key) ?? { system, rule: rule.id, purposes: [] };
      if (!t.purposes.includes(p.id)) t.purposes.push(p.id);
      out.set(key, t);
    }
  }
  return [...out.values()].sort((a, b) => a.system.localeCompare(b.system) || a.rule.localeCompare(b.rule));
}

const en = (t: RetentionRule['name'] | undefined): string | undefined =>
  t === undefined ? undefined : typeof t === 'string' ? t : t.en;

/** A legal rule the purpose rule lists under `exceptions`, with its own cut-off on the day. */
export type AskedException = {
  rule: string;
  name: string;
  law?: string;
  duration: string;
  trigger: RetentionRule['trigger'];
  /** Records this rule keeps whose trigger is before this day are no longer kept by it; null: none are. */
  expired_before: IsoDate | null;
};

/** What a system is asked to do under one rule on a day (no personal data: a rule, a day, an action). */
export type RetentionAsk = {
  rule: string;
  name: string;
  action: 'delete' | 'anonymise';
  duration: string;
  trigger: RetentionRule['trigger'];
  /** Records whose trigger date (`trigger`) is before this day have reached the end of their period. */
  expired_before: IsoDate;
  exceptions: AskedException[];
};

/**
 * The request under `rule` on `today`, by the same arithmetic as the SQL sweep (`expiredBefore`); null
 * when no record can have ended yet (the period is longer than the calendar). A rule to pseudonymise is
 * not asked (the sweep refuses it too).
 */
export function retentionAsk(
  rule: RetentionRule,
  rules: ReadonlyMap<string, RetentionRule>,
  today: IsoDate,
): RetentionAsk | null {
  if (rule.action === 'pseudonymise') return null;
  const before = expiredBefore(rule, today);
  if (before === null) return null;
  const exceptions: AskedException[] = [];
  for (const id of rule.exceptions) {
    const x = rules.get(id);
    if (!x) continue;
    const law = en(x.law);
    exceptions.push({
      rule: x.id,
      name: en(x.name)!,
      ...(law ? { law } : {}),
      duration: x.duration,
      trigger: x.trigger,
      expired_before: expiredBefore(x, today),
    });
  }
  return {
    rule: rule.id,
    name: en(rule.name)!,
    action: rule.action,
    duration: rule.duration,
    trigger: rule.trigger,
    expired_before: before,
    exceptions,
  };
}

/** The delivery id of a run's request to a system under a rule: the same on every resume of the run. */
export function retentionDeliveryId(runId: string, system: string, rule: string): string {
  return `dlv_${createHash('sha256').update(`retention\n${runId}\n${system}\n${rule}`).digest('hex').slice(0, 32)}`;
}

/**
 * Manual tasks come once per system, rule and calendar month: the daily run asks a person at most
 * monthly. The period of a day is its month ('2026-11').
 */
export const taskPeriod = (today: IsoDate): string => today.slice(0, 7);

/** A manual task is due 30 days after the run that opened it (the register's "within 30 days"). */
export const TASK_DAYS = 30;
export const taskDueOn = (opened: IsoDate): IsoDate => addDays(opened, TASK_DAYS);
