/**
 * The shape of the code, checked on every run (issue #12's "done means"): the domain core imports nothing
 * from the layers around it, no import cycles, no hand-cast request input, no SQL dialect branches outside
 * the dialect objects, and no function in the HTTP edge or the services longer than a screenful or two.
 * Read with the TypeScript compiler's own parser, never with the code under test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

const files = sourceFiles(SRC);
const rel = (p: string) => relative(SRC, p);
const text = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));

/** The project files a file imports (static, dynamic and type-only imports alike), resolved. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(text.get(file)!, true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s))
    .filter((p) => text.has(p));
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** Strongly connected components of more than one file (or a file importing itself): the import cycles. */
function cycles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(rel(w));
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return out;
}

type Fn = { file: string; name: string; lines: number };

/** Every function, method and arrow function in the files under `dir`, with its length in lines. */
function functionsUnder(dir: string): Fn[] {
  const out: Fn[] = [];
  for (const file of files.filter((f) => rel(f).startsWith(`${dir}/`))) {
    const sf = ts.createSourceFile(file, text.get(file)!, ts.ScriptTarget.Latest, true);
    const walk = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        const named = node as ts.FunctionLikeDeclaration;
        const parent = node.parent;
        const name =
          named.name?.getText(sf) ??
          (parent && ts.isVariableDeclaration(parent) ? parent.name.getText(sf) : '(anonymous)');
        out.push({ file: rel(file), name: `${name}:${start + 1}`, lines: end - start + 1 });
      }
      ts.forEachChild(node, walk);
    };
    walk(sf);
  }
  return out;
}

describe('the shape of the code', () => {
  it('reads the whole tree (a check over no files proves nothing)', () => {
    // Written by hand: the tree holds well over 200 source files, the core among them.
    expect(files.length).toBeGreaterThan(200);
    expect(files.some((f) => rel(f) === 'core/policies/policy.ts')).toBe(true);
  });

  it('the domain core depends on nothing around it: no storage, services, HTTP, CLI, web or Node I/O', () => {
    const outward: string[] = [];
    for (const f of files.filter((x) => rel(x).startsWith('core/'))) {
      for (const target of graph.get(f) ?? [])
        if (!rel(target).startsWith('core/')) outward.push(`${rel(f)} → ${rel(target)}`);
      const { importedFiles } = ts.preProcessFile(text.get(f)!, true, true);
      for (const i of importedFiles)
        if (
          /^(node:)?(fs|fs\/promises|net|http|https|child_process|pg|mysql2|@electric-sql\/pglite)$/.test(
            i.fileName,
          )
        )
          outward.push(`${rel(f)} → ${i.fileName}`);
    }
    expect(outward).toEqual([]);
  });

  it('has no import cycles (type-only imports included)', () => {
    expect(cycles()).toEqual([]);
  });

  it('reads request input through the route schemas, never through a cast of req.body, req.params or req.query', () => {
    const casts = files.flatMap((f) =>
      [...text.get(f)!.matchAll(/\breq\.(body|params|query)\s+as\b/g)].map((m) => `${rel(f)}: ${m[0]}`),
    );
    expect(casts).toEqual([]);
  });

  it('keeps SQL dialect differences in the dialect objects: no `dialect ===` branch elsewhere', () => {
    const branches = files
      .filter((f) => rel(f) !== 'services/fulfilment/connectors/dialect.ts')
      .flatMap((f) => [...text.get(f)!.matchAll(/dialect\s*[!=]==/g)].map(() => rel(f)));
    expect(branches).toEqual([]);
  });

  it('has no function over 120 lines in the HTTP edge or the services', () => {
    const long = [...functionsUnder('http'), ...functionsUnder('services')]
      .filter((f) => f.lines > 120)
      .map((f) => `${f.file} ${f.name} (${f.lines} lines)`);
    expect(long).toEqual([]);
  });
});
