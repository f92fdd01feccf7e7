import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTrainerProgram as createTrainer } from './internal.ts';
import { createDataProgram as createData } from './internal.ts';
import { cli, ROOT } from './helpers.ts';

type Tool = 'trainer' | 'data';
type Command = ReturnType<typeof createTrainer>;
/** commander's own errors (usage, help), told by their code: commander is the CLI packages' dependency, not the root's. */
const commanderCode = (e: unknown): string | null => {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && code.startsWith('commander.') ? code : null;
};
interface ReadmeCommand { line: string; tool: Tool; args: string[] }

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PROGRAMS: Record<Tool, () => Command> = { trainer: createTrainer, data: createData };

/** Shell words of one line, with `|`, `&&`, `||` and `;` as words of their own; a `#` starting a word begins a comment. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`README: unbalanced ${c} in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (word !== null) words.push(word);
      word = null;
    } else if (word === null && c === '#') {
      break;
    } else if ('|&;'.includes(c)) {
      if (word !== null) words.push(word);
      word = null;
      const op = line[i + 1] === c && c !== ';' ? c + c : c;
      words.push(op);
      i += op.length - 1;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** Every `pnpm trainer …` and `pnpm data …` of a shell line (each side of a pipe or `&&`). */
function commandsOf(line: string): ReadmeCommand[] {
  const found: ReadmeCommand[] = [];
  let segment: string[] = [];
  for (const w of [...shellWords(line), ';']) {
    if (!['|', '||', '&&', ';'].includes(w)) {
      segment.push(w);
      continue;
    }
    if (segment[0] === 'pnpm' && (segment[1] === 'trainer' || segment[1] === 'data')) {
      const args = segment.slice(2);
      found.push({ line, tool: segment[1], args });
    }
    segment = [];
  }
  return found;
}

/** The README's command lines: every line of its shell code blocks, and every inline `pnpm trainer|data …` span. */
function readmeCommands(): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  for (const block of README.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)) {
    if (!['', 'sh', 'bash', 'shell'].includes(block[1])) continue;
    for (const line of block[2].replace(/\\\n/g, ' ').split('\n')) commands.push(...commandsOf(line));
  }
  for (const span of README.replace(/^```[\s\S]*?^```/gm, '').matchAll(/`(pnpm (?:trainer|data)\b[^`]*)`/g)) {
    if (!span[1].includes('…')) commands.push(...commandsOf(span[1]));
  }
  return commands;
}

const PARSED = Symbol('parsed, action not run');

/**
 * Parses a command with the CLI's own program, stopping before its action (a preAction hook throws): an unknown flag,
 * a bad value, a missing required option or an unknown command fails with commander's message.
 */
async function parse(c: ReadmeCommand): Promise<{ ok: true; command: string } | { ok: false; error: string }> {
  const program = PROGRAMS[c.tool]();
  let output = '';
  const quiet = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeOut: (s) => { output += s; }, writeErr: (s) => { output += s; } });
    cmd.commands.forEach(quiet);
  };
  quiet(program);
  let reached = '';
  program.hook('preAction', (_root, action) => {
    reached = action.name();
    throw PARSED;
  });
  try {
    await program.parseAsync(c.args, { from: 'user' });
    return { ok: false, error: 'the action ran: the preAction hook was not called' };
  } catch (e) {
    if (e === PARSED) return { ok: true, command: reached };
    const code = commanderCode(e);
    if (code === 'commander.helpDisplayed' || code === 'commander.help') return { ok: true, command: 'help' };
    return { ok: false, error: code ? `${code}: ${output.trim() || (e as Error).message}` : String(e) };
  }
}

/** Run for real: help, the gradient check, and `data inspect` of a file in this repository (none writes a file). */
function cheap(c: ReadmeCommand): boolean {
  if (c.args.includes('--help')) return true;
  if (c.tool === 'trainer' && c.args[0] === 'gradcheck') return true;
  return c.tool === 'data' && c.args[0] === 'inspect' && /^(packages|test)\//.test(c.args[1] ?? '');
}

describe('the README', () => {
  const commands = readmeCommands();

  it('names commands of both CLIs', () => {
    expect(commands.filter((c) => c.tool === 'trainer').length).toBeGreaterThan(10);
    expect(commands.filter((c) => c.tool === 'data').length).toBeGreaterThan(3);
  });

  it('gives only commands that the CLIs parse, with flags they know and values they accept', async () => {
    const failures: string[] = [];
    for (const c of commands) {
      const r = await parse(c);
      if (!r.ok) failures.push(`pnpm ${c.tool} ${c.args.join(' ')}\n  ${r.error}`);
    }
    expect(failures).toEqual([]);
  });

  it('catches a command the CLIs would refuse (the check itself)', async () => {
    for (const line of ['pnpm trainer run --no-such-flag', 'pnpm trainer run --workers x', 'pnpm trainer run --activation softsign', 'pnpm data convert --csv a.csv', 'pnpm trainer fly']) {
      expect((await parse(commandsOf(line)[0])).ok, line).toBe(false);
    }
    expect(commandsOf("echo '{\"a\":1}' | pnpm trainer predict --model m.safetensors --jsonl   # stdin")).toEqual([
      { line: expect.any(String), tool: 'trainer', args: ['predict', '--model', 'm.safetensors', '--jsonl'] },
    ]);
  });

  it('gives cheap commands (help, gradcheck, inspect of a bundled file) that run and exit 0', async () => {
    const runs = commands.filter(cheap);
    expect(runs.some((c) => c.args[0] === 'gradcheck')).toBe(true);
    expect(runs.some((c) => c.args[0] === 'inspect')).toBe(true);
    const results = await Promise.all(runs.map(async (c) => ({ c, r: await cli(c.tool, c.args, { timeoutMs: 60_000 }) })));
    for (const { c, r } of results) expect({ command: `pnpm ${c.tool} ${c.args.join(' ')}`, code: r.code, stderr: r.stderr }).toEqual({ command: `pnpm ${c.tool} ${c.args.join(' ')}`, code: 0, stderr: expect.any(String) });
  }, 90_000);
});
