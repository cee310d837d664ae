import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The dependency rule of ARCHITECTURE.md ("Rules the code keeps"), checked on
 * every import in src/: a module imports only its own layer and the layers
 * below; the top level of src/policy/ reaches no store and no HTTP. Keep the
 * two in step: change ARCHITECTURE.md and LAYERS together.
 */

// None left: recovery joins the sign-in engine through hooks registered at the composition root.
const TEMPORARY_ALLOWANCES: ReadonlyArray<{ from: string; to: string }> = [];

/** Lowest first. Modules of one layer may import each other. */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['store', 'config', 'app', 'audit'],
  ['directory', 'methods', 'policy'],
  ['monitor'],
  ['signin'],
  ['recovery'],
  ['http', 'protocols', 'cli'],
];

/** The store's schema is composed from every module's table types: type-only imports, erased at run time. */
const SCHEMA_FILES = /^src\/store\/(schema\.ts|migrations\/)/;

// The top level of policy/ and the access decision (policy/access/) are pure.
const PURE_POLICY = /^src\/policy\/(access\/)?[^/]+\.ts$/;
const STORE_OR_HTTP_FILES = /^src\/(store|policy\/store|http)\//;
const STORE_OR_HTTP_PACKAGES = /^(kysely|pg|fastify|@fastify\/.*|oidc-provider|node:sqlite|(node:)?https?)(\/.*)?$/;

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Import {
  specifier: string;
  /** Repository-relative path of a relative import; null for a package. */
  target: string | null;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(rel);
    return /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** Every static import, re-export and literal dynamic import of a file, from its syntax tree (comments and strings cannot fool it). */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    const target = specifier.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)) : null;
    found.push({ specifier, target, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allTypes = !!clause && !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier.text, !!clause && (clause.isTypeOnly || allTypes));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) add(arg.text, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const moduleOf = (file: string): string | null => /^src\/([^/]+)\//.exec(file)?.[1] ?? null;
const layerOf = (module: string): number => LAYERS.findIndex((l) => l.includes(module));

const files = sourceFiles('src');
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test('every module under src/ sits in a layer', () => {
  const unknown = [...new Set(files.map(moduleOf))].filter((m) => m === null || layerOf(m) < 0);
  assert.deepEqual(unknown, [], 'add the module to a layer in ARCHITECTURE.md and in LAYERS here (null: a file directly in src/)');
});

test('imports point down the layers: no module imports a layer above its own', () => {
  const violations: string[] = [];
  for (const [file, imports] of graph) {
    const from = moduleOf(file);
    if (!from) continue;
    for (const imp of imports) {
      const to = imp.target && moduleOf(imp.target);
      if (!imp.target || !to || to === from) continue;
      if (layerOf(to) <= layerOf(from)) continue;
      if (imp.typeOnly && SCHEMA_FILES.test(file)) continue;
      if (TEMPORARY_ALLOWANCES.some((a) => file.startsWith(a.from) && imp.target!.startsWith(a.to))) continue;
      violations.push(`${file} imports '${imp.specifier}': ${from} may not depend on ${to}, a layer above it`);
    }
  }
  assert.deepEqual(violations, [], `\n${violations.join('\n')}`);
});

test('the top level of src/policy/ reaches no store and no HTTP, directly or through what it imports', () => {
  // Breadth-first from every top-level policy file, remembering how each file was reached; each offending import is named once, with its chain.
  const via = new Map<string, string | null>();
  const queue: string[] = [];
  for (const f of files.filter((f) => PURE_POLICY.test(f))) {
    via.set(f, null);
    queue.push(f);
  }
  const chain = (f: string): string => {
    const steps: string[] = [];
    for (let at: string | null = f; at; at = via.get(at) ?? null) steps.unshift(at);
    return steps.join(' → ');
  };
  const violations: string[] = [];
  while (queue.length) {
    const file = queue.shift()!;
    for (const imp of graph.get(file) ?? []) {
      if (imp.target ? STORE_OR_HTTP_FILES.test(imp.target) : STORE_OR_HTTP_PACKAGES.test(imp.specifier)) {
        violations.push(`${chain(file)} imports '${imp.specifier}'`);
      } else if (imp.target && !via.has(imp.target) && graph.has(imp.target)) {
        via.set(imp.target, file);
        queue.push(imp.target);
      }
    }
  }
  assert.deepEqual(violations, [], `\n${violations.join('\n')}`);
});

test('the rule checker sees the kinds of import it must (self-check)', () => {
  // A file known to import a package, a relative module and a type: if parsing broke, the rules above would pass vacuously.
  const imports = graph.get('src/store/schema.ts') ?? [];
  assert.ok(imports.length >= 5 && imports.every((i) => i.typeOnly && i.target), 'schema.ts: type-only relative imports');
  assert.ok(files.length > 100, 'src/ is read');
  assert.ok([...graph.values()].flat().some((i) => !i.typeOnly && i.target?.startsWith('src/store/')), 'value imports are seen');
});
