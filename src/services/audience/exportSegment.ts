/**
 * Export a segment (issue #14, P44): build it, take the delta against the previous export's member set,
 * write the network's upload files (the whole segment, the members to add, the members to remove), and
 * record the export (counts, rule version, purpose, legal basis, who ran it) with an audit entry, in one
 * transaction. The files hold only hashes.
 *
 * A removal export (`removeSubjects`, run at once after an objection when the segment says
 * `immediateRemoval`) writes only a removal file: the objector's hashes that the network was sent.
 */
import { randomUUID } from 'node:crypto';
import { CURRENT_RULE, type HashField, hashIdentifier } from '../../core/audience/hashing.ts';
import { packHashes, unpackHashes, uploadFile } from '../../core/audience/formats.ts';
import { delta } from '../../core/audience/segments.ts';
import { notFound } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Audience } from '../../core/register/schema.ts';
import type { Db } from '../../storage/db.ts';
import type { SubjectSystems } from '../../workers.ts';
import { type Actor, actorString, recordAudit } from '../audit/auditLog.ts';
import type { ConsentKeys } from '../consent/keys.ts';
import { buildSegment } from './buildSegment.ts';

export type AudienceDeps = { db: Db; keys: ConsentKeys; index: RegisterIndex; now: () => Date };

export type ExportKind = 'scheduled' | 'manual' | 'removal';
export type AudienceFile = {
  name: string;
  role: 'members' | 'add' | 'remove';
  mediaType: string;
  rows: number;
};
export type AudienceExport = {
  id: string;
  orgId: string;
  segmentId: string;
  purposeId: string;
  legalBasis: string;
  recipient: string;
  ruleId: string;
  kind: ExportKind;
  createdAt: string;
  createdBy: string;
  candidates: number;
  members: number;
  added: number;
  removed: number;
  skipped: number;
  excluded: Record<string, number>;
  files: AudienceFile[];
};

/** The segment of the register by company and id, or 404. */
export function segmentOf(index: RegisterIndex, orgId: string, segmentId: string): Audience {
  const s = (index.register.audiences ?? []).find((a) => a.id === segmentId && a.controller === orgId);
  if (!s) throw notFound('audience-segment', `No segment '${segmentId}' of '${orgId}' in the register.`);
  return s;
}

/**
 * The member sets of the segment's last regular export (empty before the first): a removal export does not
 * move the baseline, so whoever it removed is in the next regular export's removal list too. With
 * `afterRemovals`, the last export of any kind (a removal stores the members less those it removed), so a
 * second removal job for the same person writes nothing.
 */
async function previousMembers(db: Db, orgId: string, segmentId: string, afterRemovals = false) {
  const [last] = await db.query<{ id: string }>(
    `SELECT id FROM audience_exports WHERE org_id = $1 AND segment_id = $2 AND ($3 OR kind <> 'removal')
      ORDER BY created_at DESC, id DESC LIMIT 1`,
    [orgId, segmentId, afterRemovals],
  );
  const out: Partial<Record<HashField, string[]>> = {};
  if (!last) return out;
  for (const r of await db.query<{ field: HashField; hashes: Uint8Array }>(
    'SELECT field, hashes FROM audience_member_sets WHERE export_id = $1',
    [last.id],
  ))
    out[r.field] = unpackHashes(r.hashes);
  return out;
}

type Pending = {
  segment: Audience;
  ruleId: string;
  kind: ExportKind;
  candidates: number;
  skipped: number;
  excluded: Record<string, number>;
  members: Partial<Record<HashField, string[]>>;
  add: Partial<Record<HashField, string[]>>;
  remove: Partial<Record<HashField, string[]>>;
  withMembersFile: boolean;
};

async function store(deps: AudienceDeps, actor: Actor, p: Pending): Promise<AudienceExport> {
  const id = randomUUID();
  const at = deps.now();
  const fields = p.segment.fields as HashField[];
  const sum = (l: Partial<Record<HashField, string[]>>) =>
    fields.reduce((n, f) => n + (l[f]?.length ?? 0), 0);
  const stamp = at.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const files: (AudienceFile & { content: string })[] = [];
  const file = (role: AudienceFile['role'], lists: Partial<Record<HashField, string[]>>) => {
    const f = uploadFile(p.segment.rule, fields, lists);
    files.push({
      name: `${p.segment.id}-${stamp}-${role}.${f.extension}`,
      role,
      mediaType: f.mediaType,
      rows: f.rows,
      content: f.content,
    });
  };
  if (p.withMembersFile) file('members', p.members);
  if (p.kind !== 'removal') file('add', p.add);
  file('remove', p.remove);
  const row = {
    id,
    orgId: p.segment.controller,
    segmentId: p.segment.id,
    purposeId: p.segment.purpose,
    legalBasis: p.segment.legalBasis,
    recipient: p.segment.recipient,
    ruleId: p.ruleId,
    kind: p.kind,
    createdAt: at.toISOString(),
    createdBy: actorString(actor),
    candidates: p.candidates,
    members: sum(p.members),
    added: sum(p.add),
    removed: sum(p.remove),
    skipped: p.skipped,
    excluded: p.excluded,
  };
  await deps.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO audience_exports (id, org_id, segment_id, purpose_id, legal_basis, recipient, rule_id, kind,
         created_at, created_by, candidates, members, added, removed, skipped, excluded)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        id,
        row.orgId,
        row.segmentId,
        row.purposeId,
        row.legalBasis,
        row.recipient,
        row.ruleId,
        row.kind,
        at,
        row.createdBy,
        row.candidates,
        row.members,
        row.added,
        row.removed,
        row.skipped,
        JSON.stringify(row.excluded),
      ],
    );
    for (const f of fields)
      await tx.query('INSERT INTO audience_member_sets (export_id, field, hashes) VALUES ($1, $2, $3)', [
        id,
        f,
        packHashes(p.members[f] ?? []),
      ]);
    for (const f of files)
      await tx.query(
        'INSERT INTO audience_files (export_id, name, role, media_type, rows, content) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, f.name, f.role, f.mediaType, f.rows, Buffer.from(f.content, 'utf8')],
      );
    await recordAudit(tx, {
      actor,
      orgId: row.orgId,
      action: 'audience.export',
      target: `audience:${row.segmentId}`,
      at,
      details: {
        exportId: id,
        kind: row.kind,
        purpose: row.purposeId,
        legalBasis: row.legalBasis,
        recipient: row.recipient,
        rule: row.ruleId,
        members: row.members,
        added: row.added,
        removed: row.removed,
        skipped: row.skipped,
      },
    });
  });
  return { ...row, files: files.map(({ content: _c, ...f }) => f) };
}

/** Build the segment and export it with its delta since the last export. */
export async function exportSegment(
  deps: AudienceDeps,
  systems: SubjectSystems,
  actor: Actor,
  q: { orgId: string; segmentId: string; kind: 'scheduled' | 'manual' },
): Promise<AudienceExport> {
  const segment = segmentOf(deps.index, q.orgId, q.segmentId);
  const built = await buildSegment(deps, systems, segment, deps.now());
  const before = await previousMembers(deps.db, q.orgId, q.segmentId);
  const add: Pending['add'] = {};
  const remove: Pending['remove'] = {};
  for (const f of segment.fields) {
    const d = delta(before[f] ?? [], built.hashes[f] ?? []);
    add[f] = d.add;
    remove[f] = d.remove;
  }
  return store(deps, actor, {
    segment,
    ruleId: built.rule.id,
    kind: q.kind,
    candidates: built.candidates,
    skipped: built.skipped,
    excluded: built.excluded,
    members: built.hashes,
    add,
    remove,
    withMembersFile: true,
  });
}

/**
 * At once after an objection: for each segment of the company with `immediateRemoval` whose purpose the
 * objection stops, the subject's identifiers (hashed by the segment's rule) that the network was sent go
 * into a removal file. The next regular export, taken against the last regular one, lists them for
 * removal again (the network drops a hash it does not hold). Run by the audience worker's removal job
 * (./worker.ts) after a consent event.
 */
export async function removeSubjectAtOnce(
  deps: AudienceDeps,
  actor: Actor,
  q: { orgId: string; purposeIds: string[]; identities: { kind: string; value: string }[] },
): Promise<AudienceExport[]> {
  const out: AudienceExport[] = [];
  const stops = (s: Audience) =>
    q.purposeIds.includes(s.purpose) || q.purposeIds.includes('direct-marketing');
  for (const segment of deps.index.register.audiences ?? []) {
    if (segment.controller !== q.orgId || !segment.immediateRemoval || !stops(segment)) continue;
    const rule = CURRENT_RULE[segment.rule];
    const country = segment.defaultCountry ?? deps.index.organization(q.orgId)?.country;
    const before = await previousMembers(deps.db, q.orgId, segment.id, true);
    const remove: Pending['remove'] = {};
    const members: Pending['members'] = {};
    let any = false;
    for (const f of segment.fields as HashField[]) {
      const mine = new Set(
        q.identities
          .filter((i) => i.kind === f)
          .map((i) => hashIdentifier(rule, f, i.value, country))
          .filter((h): h is string => h !== undefined),
      );
      remove[f] = (before[f] ?? []).filter((h) => mine.has(h));
      members[f] = (before[f] ?? []).filter((h) => !mine.has(h));
      if (remove[f].length > 0) any = true;
    }
    if (!any) continue;
    out.push(
      await store(deps, actor, {
        segment,
        ruleId: rule.id,
        kind: 'removal',
        candidates: 0,
        skipped: 0,
        excluded: {},
        members,
        add: {},
        remove,
        withMembersFile: false,
      }),
    );
  }
  return out;
}

/** The exports of a segment, newest first, with their files (names, roles and rows; no content). */
export async function listExports(
  db: Db,
  orgId: string,
  segmentId?: string,
  limit = 20,
): Promise<AudienceExport[]> {
  const rows = await db.query<{
    id: string;
    org_id: string;
    segment_id: string;
    purpose_id: string;
    legal_basis: string;
    recipient: string;
    rule_id: string;
    kind: ExportKind;
    created_at: Date;
    created_by: string;
    candidates: number;
    members: number;
    added: number;
    removed: number;
    skipped: number;
    excluded: Record<string, number> | string;
  }>(
    `SELECT * FROM audience_exports WHERE org_id = $1 AND ($2::text IS NULL OR segment_id = $2)
      ORDER BY created_at DESC, id DESC LIMIT $3`,
    [orgId, segmentId ?? null, limit],
  );
  const files = rows.length
    ? await db.query<{
        export_id: string;
        name: string;
        role: AudienceFile['role'];
        media_type: string;
        rows: number;
      }>(
        'SELECT export_id, name, role, media_type, rows FROM audience_files WHERE export_id = ANY($1::text[]) ORDER BY name',
        [rows.map((r) => r.id)],
      )
    : [];
  return rows.map((r) => ({
    id: r.id,
    orgId: r.org_id,
    segmentId: r.segment_id,
    purposeId: r.purpose_id,
    legalBasis: r.legal_basis,
    recipient: r.recipient,
    ruleId: r.rule_id,
    kind: r.kind,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
    candidates: r.candidates,
    members: r.members,
    added: r.added,
    removed: r.removed,
    skipped: r.skipped,
    excluded: typeof r.excluded === 'string' ? JSON.parse(r.excluded) : r.excluded,
    files: files
      .filter((f) => f.export_id === r.id)
      .map((f) => ({ name: f.name, role: f.role, mediaType: f.media_type, rows: f.rows })),
  }));
}

/** One file of an export (hashes only), audited as a download. */
export async function readExportFile(
  db: Db,
  actor: Actor,
  q: { orgId: string; exportId: string; name: string },
): Promise<{ name: string; mediaType: string; content: Buffer }> {
  const [f] = await db.query<{ name: string; media_type: string; content: Uint8Array; segment_id: string }>(
    `SELECT f.name, f.media_type, f.content, e.segment_id FROM audience_files f
       JOIN audience_exports e ON e.id = f.export_id
      WHERE e.org_id = $1 AND f.export_id = $2 AND f.name = $3`,
    [q.orgId, q.exportId, q.name],
  );
  if (!f) throw notFound('audience-file', 'No such export file.');
  await recordAudit(db, {
    actor,
    orgId: q.orgId,
    action: 'audience.file.download',
    target: `audience:${f.segment_id}`,
    details: { exportId: q.exportId, file: f.name },
  });
  return { name: f.name, mediaType: f.media_type, content: Buffer.from(f.content) };
}
