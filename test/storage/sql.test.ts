import { describe, expect, test } from 'vitest';
import { mysqlDialect, postgresDialect } from '../../src/services/fulfilment/connectors/dialect.ts';
import { splitStatements } from '../../src/services/fulfilment/connectors/mysql.ts';
import { bindInto, sql } from '../../src/storage/sql.ts';

describe('the sql tag', () => {
  test('values become parameters numbered in text order, fragments keep theirs where they stand', () => {
    const late = sql`b = ${2}`; // built first, written second
    const early = sql`a = ${1}`;
    const q = sql`SELECT * FROM ${sql.id('t"x')} WHERE ${early} AND ${late} LIMIT ${3}`;
    expect(q.render(postgresDialect)).toEqual({
      text: 'SELECT * FROM "t""x" WHERE a = $1 AND b = $2 LIMIT $3',
      params: [1, 2, 3],
    });
    expect(q.render(mysqlDialect)).toEqual({
      text: 'SELECT * FROM `t"x` WHERE a = ? AND b = ? LIMIT ?',
      params: [1, 2, 3],
    });
  });

  test('join, raw, empty, and continuing a list of parameters', () => {
    const where = [sql`x = ${'a'}`, sql`y = ${'b'}`];
    expect(sql`${sql.join(where, ' OR ')}${sql.empty}${sql.raw(' -- ok')}`.render().text).toBe(
      'x = $1 OR y = $2 -- ok',
    );
    const params: unknown[] = ['p1', 'p2'];
    expect(bindInto(params, sql`(${sql.raw('$1')}, ${'p3'})`)).toBe('($1, $3)');
    expect(params).toEqual(['p1', 'p2', 'p3']);
  });

  test('dialects: anyOf, key text, upsert', () => {
    expect(postgresDialect.anyOf(sql.id('id'), [1, 2]).render(postgresDialect)).toEqual({
      text: '"id" = ANY($1)',
      params: [[1, 2]],
    });
    expect(mysqlDialect.anyOf(sql.id('id'), [1, 2]).render(mysqlDialect)).toEqual({
      text: '`id` IN (?, ?)',
      params: [1, 2],
    });
    expect(mysqlDialect.keyText([sql.id('a'), sql.id('b')]).render(mysqlDialect).text).toBe(
      "CONCAT(CAST(`a` AS CHAR), '|', CAST(`b` AS CHAR))",
    );
    const cols = [
      { name: 'k', type: 'text' as const, values: ['x', 'y'] },
      { name: 'c', type: 'text' as const, value: 'same' },
      { name: 'd', type: 'date' as const, values: [null, '2030-01-01'] },
    ];
    expect(postgresDialect.upsert('t', cols, 2, ['k']).render(postgresDialect).params).toEqual([
      'same',
      ['x', 'y'],
      [null, '2030-01-01'],
    ]);
    expect(mysqlDialect.upsert('t', cols, 2, ['k']).render(mysqlDialect)).toMatchObject({
      params: ['x', 'same', null, 'y', 'same', '2030-01-01'],
    });
  });
});

describe('MySQL scripts without multipleStatements', () => {
  test('a script is split at semicolons outside quotes and comments', () => {
    expect(
      splitStatements(`-- a comment; not a statement
CREATE TABLE a (x TEXT DEFAULT 'semi;colon', y TEXT COMMENT "it's; fine");
/* block; comment */ CREATE INDEX \`i;x\` ON a (x);
# hash comment;
INSERT INTO a VALUES ('it''s', 'back\\'slash;');

`),
    ).toEqual([
      `CREATE TABLE a (x TEXT DEFAULT 'semi;colon', y TEXT COMMENT "it's; fine")`,
      'CREATE INDEX `i;x` ON a (x)',
      `INSERT INTO a VALUES ('it''s', 'back\\'slash;')`,
    ]);
    expect(splitStatements('-- @after-load\n')).toEqual([]);
  });
});
