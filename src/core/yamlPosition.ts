/** Where a path into a parsed YAML document stands in its text, for findings located at file:line:column. */
import type { Document, LineCounter, Node } from 'yaml';

/** The line and column (1-based) of the deepest node of `path` that exists; 1:1 when none does. */
export function yamlPosition(
  p: { doc: Document; lines: LineCounter },
  path: (string | number)[],
): { line: number; column: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = p.doc.getIn(path.slice(0, n), true) as Node | undefined;
    const range = node && typeof node === 'object' && 'range' in node ? node.range : undefined;
    if (range) {
      const pos = p.lines.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/** One finding per YAML syntax error of a document, located at file:line:column, with the usual fix. */
export function yamlSyntaxFindings(
  p: { doc: Document; lines: LineCounter },
  file: string,
): { severity: 'error'; file: string; line: number; column: number; message: string; hint: string }[] {
  return p.doc.errors.map((e) => {
    const pos = p.lines.linePos(e.pos[0]);
    return {
      severity: 'error',
      file,
      line: pos.line,
      column: pos.col,
      message: `YAML syntax error: ${e.message.split('\n')[0]}`,
      hint: 'Fix the indentation or quoting here; a value containing ": " or "#" needs quotes.',
    };
  });
}
