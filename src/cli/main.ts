/**
 * The `ombud` command: finds the command in the table (`commands.ts`), answers `--help` from its spec,
 * parses its arguments with the same spec and runs it. Exit codes are the same for every command:
 * 0 ok, 1 findings or failure, 2 usage (the usage and what was wrong on stderr).
 */
import { readFileSync } from 'node:fs';
import { OmbudError } from '../core/errors.ts';
import { type CommandName, COMMANDS } from './commands.ts';
import { LOADERS } from './loaders.ts';
import { cliReference, commandHelp, commandList, groupHelp, mainHelp, usageLine } from './help.ts';
import { type CliIo, printJson, processIo } from './io.ts';
import { asksForHelp, type CommandSpec, EXIT, parseCommand, UsageError } from './spec.ts';

const TABLE: Record<string, CommandSpec> = COMMANDS;

export { COMMANDS };

/** `ombud --help`. */
export function usage(): string {
  return mainHelp(TABLE);
}

/** `ombud register validate …` → the command's name and the rest; `ombud register` → its group. */
function resolve(
  argv: string[],
): { name: string; rest: string[] } | { group: string; rest: string[] } | undefined {
  const two = argv.slice(0, 2).join(' ');
  if (argv.length >= 2 && TABLE[two]) return { name: two, rest: argv.slice(2) };
  if (argv[0] && TABLE[argv[0]]) return { name: argv[0], rest: argv.slice(1) };
  if (argv[0] && Object.keys(TABLE).some((n) => n.startsWith(`${argv[0]} `)))
    return { group: argv[0], rest: argv.slice(1) };
  return undefined;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `ombud ${pkg.version} (Node ${process.version})`;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [first] = argv;
  if (first === undefined) {
    io.err(`ombud: give a command.\n\n${commandList(TABLE)}`);
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h') {
    io.out(usage());
    return EXIT.ok;
  }
  if (first === '--version' || first === '-v') {
    io.out(version());
    return EXIT.ok;
  }
  if (first === 'help') return help(argv.slice(1), io);
  const found = resolve(argv);
  if (!found) {
    io.err(`ombud: unknown command '${first}'.\n\n${commandList(TABLE)}`);
    return EXIT.usage;
  }
  if ('group' in found) {
    if (asksForHelp(found.rest) && found.rest[0]?.startsWith('-')) {
      io.out(groupHelp(found.group, TABLE));
      return EXIT.ok;
    }
    io.err(
      `${found.rest[0] ? `ombud: unknown command '${found.group} ${found.rest[0]}'.` : `ombud ${found.group}: give a command.`}\n\n${groupHelp(found.group, TABLE)}`,
    );
    return EXIT.usage;
  }
  return runCommand(found.name, found.rest, io);
}

/** `ombud help`, `ombud help <command>`, `ombud help --markdown` (docs/cli.md). */
function help(words: string[], io: CliIo): number {
  if (words.length === 0) {
    io.out(usage());
    return EXIT.ok;
  }
  if (words.length === 1 && words[0] === '--markdown') {
    io.out(cliReference(TABLE));
    return EXIT.ok;
  }
  const found = resolve(words);
  if (found && 'name' in found && found.rest.length === 0) {
    io.out(commandHelp(found.name, TABLE[found.name]!));
    return EXIT.ok;
  }
  if (found && 'group' in found && found.rest.length === 0) {
    io.out(groupHelp(found.group, TABLE));
    return EXIT.ok;
  }
  io.err(`ombud help: unknown command '${words.join(' ')}'.\n\n${commandList(TABLE)}`);
  return EXIT.usage;
}

async function runCommand(name: string, args: string[], io: CliIo): Promise<number> {
  const spec = TABLE[name]!;
  const usageError = (err: UsageError) => {
    io.err(`ombud ${name}: ${err.message}\n${usageLine(name, spec)}\nRun 'ombud ${name} --help' for more.`);
    return EXIT.usage;
  };
  if (asksForHelp(args)) {
    io.out(commandHelp(name, spec));
    return EXIT.ok;
  }
  let input: ReturnType<typeof parseCommand>;
  try {
    input = parseCommand(spec, args);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err);
    throw err;
  }
  const json = input.values.json === true;
  try {
    const mod = await LOADERS[name as CommandName]();
    return await mod.run({ values: { ...input.values, json }, positionals: input.positionals } as never, io);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err);
    if (err instanceof OmbudError) {
      io.progress('');
      io.err(`ombud ${name}: ${err.message}`);
      for (const i of err.issues)
        io.err(`  ${i.path.join('.')}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`);
      if (err.hint) io.err(`  fix: ${err.hint}`);
      // With --json the answer is still one document: the error, as the API would give it.
      if (json)
        printJson(io, {
          error: {
            code: err.code,
            message: err.message,
            issues: err.issues,
            ...(err.hint ? { hint: err.hint } : {}),
          },
        });
      return EXIT.findings;
    }
    throw err;
  } finally {
    io.progress('');
  }
}
