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
