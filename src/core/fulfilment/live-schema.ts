/** The shape of a live database as a connector describes it (tables, columns, keys). */
export type SchemaColumn = { table: string; column: string; dataType: string; nullable: boolean };
export type SchemaForeignKey = { table: string; column: string; refTable: string; refColumn: string };
export type LiveSchema = {
  tables: string[];
  columns: SchemaColumn[];
  primaryKeys: { table: string; column: string }[];
  foreignKeys: SchemaForeignKey[];
};
