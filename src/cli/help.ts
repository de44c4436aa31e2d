/**
 * The help of `ombud` and of each command, written from the command table: what `--help` prints is what
 * the parser accepts. `docs/cli.md` is the same text (`npm run cli-docs`).
 */
import {
  allOptions,
  type CommandSpec,
  DATABASE_ENV,
  ENVIRONMENT,
  EXIT_USAGE_TEXT,
  type OptionSpec,
} from './spec.ts';

/** `--org ID`, `-o, --out FILE`, `--dry-run`. */
function optionTerm(name: string, o: OptionSpec): string {
  const flag = `${o.short ? `-${o.short}, ` : ''}--${name}`;
  return o.type === 'boolean' ? flag : `${flag} ${valueName(name, o)}`;
}

function valueName(name: string, o: OptionSpec): string {
  return o.value ?? (o.choices ? o.choices.join('|') : name.toUpperCase().replace(/-/g, '_'));
}

/** The options part of the usage line: required ones bare, the others in brackets; `…` for repeatable. */
function usageOptions(spec: CommandSpec): string {
  const parts: string[] = [];
  for (const [name, o] of Object.entries(spec.options)) {
    const term = o.type === 'boolean' ? `--${name}` : `--${name} ${valueName(name, o)}`;
    const one = `${term}${o.multiple ? ' …' : ''}`;
    parts.push(o.required ? one : `[${one}]`);
  }
  if (spec.json) parts.push('[--json]');
  return parts.join(' ');
}

function usageArgs(spec: CommandSpec): string {
  return (spec.args ?? [])
    .map((a) => {
      const one = `${a.name}${a.multiple ? ' …' : ''}`;
      return a.required ? one : `[${one}]`;
    })
    .join(' ');
}

/** `Usage: ombud <name> …`, one line. */
export function usageLine(name: string, spec: CommandSpec): string {
  const rest = spec.usage ?? [usageArgs(spec), usageOptions(spec)].filter(Boolean).join(' ');
  return `Usage: ombud ${name}${rest ? ` ${rest}` : ''}`;
}

/** The width help text is wrapped to. */
const WIDTH = 100;

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

/** Two columns; the second wrapped and its continuation lines aligned under it. */
function table(rows: [string, string][], indent = '  '): string[] {
  const width = Math.max(...rows.map(([a]) => a.length));
  const pad = indent.length + width + 2;
  return rows.flatMap(([a, b]) => {
    const [first = '', ...more] = wrap(b, Math.max(WIDTH - pad, 40));
    return [`${indent}${a.padEnd(width)}  ${first}`.trimEnd(), ...more.map((l) => `${' '.repeat(pad)}${l}`)];
  });
}

function optionText(o: OptionSpec): string {
  const extra: string[] = [];
  if (o.required) extra.push('required');
  if (o.multiple) extra.push('repeatable');
  if (o.env) extra.push(`default: $${o.env}`);
  if (o.default !== undefined) extra.push(`default: ${o.default}`);
  return `${o.description}${extra.length ? ` (${extra.join('; ')})` : ''}`;
}

/** The exit codes of one command: its own meaning of 0 and 1, the shared 2, and any of its own. */
function exitRows(spec: CommandSpec): [string, string][] {
  const codes = new Map<number, string>(Object.entries(spec.exits).map(([k, v]) => [Number(k), v as string]));
  codes.set(2, EXIT_USAGE_TEXT);
  return [...codes.entries()].sort(([a], [b]) => a - b).map(([k, v]) => [String(k), v]);
}

/** `ombud <name> --help`. */
export function commandHelp(name: string, spec: CommandSpec): string {
  const lines = [usageLine(name, spec), '', ...wrap(spec.description, WIDTH)];
  if (spec.args?.length) {
    lines.push('', 'Arguments:');
    lines.push(
      ...table(spec.args.map((a) => [a.name, `${a.description}${a.required ? '' : ' (optional)'}`])),
    );
  }
  lines.push('', 'Options:');
  lines.push(...table(Object.entries(allOptions(spec)).map(([n, o]) => [optionTerm(n, o), optionText(o)])));
  if (spec.progress)
    lines.push('', ...wrap(`Progress (on stderr, only when it is a terminal): ${spec.progress}.`, WIDTH));
  lines.push('', 'Environment:');
  lines.push(...(spec.env.length ? table(spec.env.map((e) => [e, ENVIRONMENT[e]])) : ['  none']));
  lines.push('', 'Exit codes:');
  lines.push(...table(exitRows(spec)));
  lines.push('', spec.examples.length > 1 ? 'Examples:' : 'Example:');
  lines.push(...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** The commands of a group (`ombud apikey --help`). */
export function groupHelp(group: string, commands: Record<string, CommandSpec>): string {
  const own = Object.entries(commands).filter(([n]) => n.startsWith(`${group} `));
  return [
    `Usage: ombud ${group} <command> [options]`,
    '',
    'Commands:',
    ...table(own.map(([n, c]) => [n, c.summary])),
    '',
    `Run 'ombud ${group} <command> --help' for a command's arguments, options, environment and exit codes.`,
  ].join('\n');
}

export const CONVENTIONS = [
  'Every command:',
  ...table([
    [
      '-h, --help',
      "its usage, arguments, options, environment, exit codes and an example (also 'ombud help <command>')",
    ],
    ['--json', 'where offered: one JSON document on stdout, nothing else; messages go to stderr'],
    ['progress', 'long work reports progress on stderr when stderr is a terminal, and nothing otherwise'],
  ]),
];

export const EXIT_CODES = [
  'Exit codes:',
  ...table([
    ['0', 'ok'],
    [
      '1',
      'findings or failure: the input is not valid, a verification failed, a run or a delivery failed (each command says which)',
    ],
    ['2', EXIT_USAGE_TEXT],
    ['3', 'audit verify: the log could not be verified here (a key is missing)'],
  ]),
];

/** With a usage error: the usage and the commands. */
export function commandList(commands: Record<string, CommandSpec>): string {
  return [
    'Usage: ombud <command> [options]',
    '',
    'Commands:',
    ...table(Object.entries(commands).map(([n, c]) => [n, c.summary])),
    '',
    "Run 'ombud --help' for the exit codes and conventions, 'ombud <command> --help' for a command.",
  ].join('\n');
}

/** `ombud --help`: every command with its one line. */
export function mainHelp(commands: Record<string, CommandSpec>): string {
  return [
    'Usage: ombud <command> [options]',
    '       ombud <command> --help',
    '',
    'Privacy operations for a company group: the register as code, the notice, consent, data subject',
    'requests, fulfilment and retention.',
    '',
    'Commands:',
    ...table(Object.entries(commands).map(([n, c]) => [n, c.summary])),
    '',
    ...CONVENTIONS,
    '',
    ...EXIT_CODES,
    '',
    'Environment (commands that open the database):',
    ...table(DATABASE_ENV.map((e) => [e, ENVIRONMENT[e]])),
    '',
    'Options:',
    ...table([
      ['-h, --help', 'show this help'],
      ['-v, --version', 'print the version'],
    ]),
  ].join('\n');
}

/** docs/cli.md: the conventions and every command's help. */
export function cliReference(commands: Record<string, CommandSpec>): string {
  const out = [
    '# The `ombud` command',
    '',
    '<!-- Written by `npm run cli-docs` from the command table (src/cli/commands.ts); test/cli/conventions.test.ts checks it is current. -->',
    '',
    '```text',
    mainHelp(commands),
    '```',
    '',
  ];
  for (const [name, spec] of Object.entries(commands))
    out.push(`## ombud ${name}`, '', spec.summary, '', '```text', commandHelp(name, spec), '```', '');
  return out.join('\n');
}
