-- The audit log for an auditor (docs/architecture/security.md): keyset paging newest first by seq, and the
-- search by actor, target, company, action (prefix) and date, each with seq so a page reads only its rows.
CREATE INDEX audit_log_actor_seq ON audit_log (actor, seq);
CREATE INDEX audit_log_target_seq ON audit_log (target, seq);
CREATE INDEX audit_log_org_seq ON audit_log (org_id, seq);
CREATE INDEX audit_log_action_seq ON audit_log (action text_pattern_ops, seq);
CREATE INDEX audit_log_at ON audit_log (at);
