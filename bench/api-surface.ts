/**
 * `pnpm api:surface`: how many names each package's entry exports, counted by the TypeScript compiler from the
 * package's `src/index.ts` (the file its `exports["."]` names). A runtime name is one with a value at run time
 * (function, constant, class); a type name is a type or interface only. Prints `core N runtime + M types` a package
 * and the total; `--names` lists them too. docs/api-surface.md keeps the figures from one commit to the next.
 */
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const PACKAGES = ['core', 'data', 'trainer'] as const;
const listNames = process.argv.includes('--names');

const entries = PACKAGES.map((name) => join(ROOT, 'packages', name, 'src', 'index.ts'));
const program = ts.createProgram(entries, {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  allowImportingTsExtensions: true, noEmit: true, skipLibCheck: true,
});
const checker = program.getTypeChecker();

let runtimeTotal = 0;
let typeTotal = 0;
for (const [i, name] of PACKAGES.entries()) {
  const source = program.getSourceFile(entries[i]);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new TypeError(`api-surface: ${entries[i]} is not a module`);
  const runtime: string[] = [];
  const types: string[] = [];
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    // An `export { x } from` is an alias; what it names decides whether it exists at run time.
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const typeOnly = target.flags & ts.SymbolFlags.Value ? isTypeOnlyExport(symbol) : true;
    (typeOnly ? types : runtime).push(symbol.name);
  }
  runtimeTotal += runtime.length;
  typeTotal += types.length;
  console.log(`${name} ${runtime.length} runtime + ${types.length} types`);
  if (listNames) console.log(`  runtime: ${runtime.sort().join(', ')}\n  types: ${types.sort().join(', ')}`);
}
console.log(`total ${runtimeTotal} runtime + ${typeTotal} types`);

/** `export type { x }` or `type x` inside the braces exports no value even when x has one. */
function isTypeOnlyExport(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some((d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly));
}
