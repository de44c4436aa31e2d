/**
 * The tables Ombud keeps in the group's own databases, by name: the row markers (restriction, kept under
 * a rule, legal hold), the record of which retention runs swept the database, and the record of which of
 * Ombud's migrations of those tables ran there (src/services/fulfilment/ownTables.ts). They are Ombud's,
 * not the group's data: never annotated as a dataset's collections.
 */
export const MARKER_TABLE = 'ombud_restrictions';
export const DONE_TABLE = 'ombud_retention_done';
export const OWN_MIGRATIONS_TABLE = 'ombud_schema_migrations';

export const OWN_TABLES: readonly string[] = [MARKER_TABLE, DONE_TABLE, OWN_MIGRATIONS_TABLE];

export const isOwnTable = (table: string) => OWN_TABLES.includes(table.toLowerCase());
