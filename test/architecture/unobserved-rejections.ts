import ts from "typescript";

/** One place a promise started earlier is awaited late: a rejection before then goes unobserved. */
export interface LateAwait {
  line: number;
  name: string;
  why: string;
}

/**
 * Finds "start calls, await later" in a test file, by syntax alone. Vitest
 * fails a whole run on an unhandled rejection, and a promise nobody awaits
 * yet is unhandled the moment it rejects. Flagged:
 * - a list of started calls (`[f(), g()]`, `xs.map((x) => f(x))`, an async
 *   callback) awaited one by one in a `for...of`, in a const or inline;
 * - a promise in a const (`const p = f()`) awaited (`await p`,
 *   `expect(p).rejects`, `expectError(p, ...)`) after another `await` in
 *   between: while that other await waits, `p` may reject unobserved.
 * Not flagged: promises that cannot reject (`.catch(...)`, `.then(a, b)`,
 * Promise.allSettled, `settled()` from test/support/settled.ts), one given a
 * rejection handler before the first other await, lists handed to
 * Promise.all, and calls awaited as they start.
 */
export function lateAwaits(fileName: string, source: string): LateAwait[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: LateAwait[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isBlock(node) || ts.isSourceFile(node)) checkStatements(node.statements, file, found);
    if (ts.isForOfStatement(node) && isStartedList(node.expression)) {
      const variable = loopVariable(node);
      if (variable !== undefined && consumption(node.statement, variable)) {
        found.push(at(node, file, variable, "a list of started calls awaited one by one in a for...of"));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found.sort((a, b) => a.line - b.line);
}

function checkStatements(statements: ts.NodeArray<ts.Statement>, file: ts.SourceFile, found: LateAwait[]): void {
  statements.forEach((statement, index) => {
    if (!ts.isVariableStatement(statement)) return;
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || declaration.initializer === undefined) continue;
      const name = declaration.name.text;
      const later = statements.slice(index + 1);
      if (isStartedList(declaration.initializer)) {
        for (const loop of later.flatMap((s) => forOfLoopsOver(s, name))) {
          found.push(at(loop, file, name, "a list of started calls awaited one by one in a for...of"));
        }
      } else if (isStartedCall(declaration.initializer)) {
        let awaitedBefore = false;
        for (const next of later) {
          const use = consumption(next, name);
          if (use !== undefined && (awaitedBefore || awaitsBefore(next, use))) {
            found.push(at(use, file, name, "a started call awaited after another await"));
            break;
          }
          if (use !== undefined || (!awaitedBefore && handles(next, name))) break;
          awaitedBefore ||= containsAwait(next);
        }
      }
    }
  });
}

const unwrap = (node: ts.Expression): ts.Expression =>
  ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)
    ? unwrap(node.expression)
    : node;

/** A call or `new` whose promise is not awaited where it starts, and may reject. */
function isStartedCall(node: ts.Expression): boolean {
  const inner = unwrap(node);
  if (ts.isNewExpression(inner)) return true;
  return ts.isCallExpression(inner) && !neverRejects(inner);
}

/** `p.catch(...)`, `p.then(a, b)`, `Promise.allSettled(...)`, `settled(...)`: a rejection is handled there. */
function neverRejects(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text === "settled";
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const method = callee.name.text;
  if (method === "catch" || (method === "then" && call.arguments.length >= 2)) return true;
  return method === "allSettled" && ts.isIdentifier(callee.expression) && callee.expression.text === "Promise";
}

/** Whether `statement` gives the promise `name` a rejection handler (`name.catch(...)`, `name.then(a, b)`). */
function handles(statement: ts.Node, name: string): boolean {
  let handled = false;
  const visit = (node: ts.Node) => {
    if (handled) return;
    if (ts.isCallExpression(node) && neverRejects(node) && ts.isPropertyAccessExpression(node.expression)) {
      const target = unwrap(node.expression.expression);
      handled = ts.isIdentifier(target) && target.text === name;
    }
    ts.forEachChild(node, visit);
  };
  visit(statement);
  return handled;
}

/** `[f(), g()]`, or `xs.map((x) => f(x))`: calls started together into a list. */
function isStartedList(node: ts.Expression): boolean {
  const inner = unwrap(node);
  if (ts.isArrayLiteralExpression(inner)) return inner.elements.some((element) => isStartedCall(element));
  if (!ts.isCallExpression(inner) || !ts.isPropertyAccessExpression(inner.expression)) return false;
  const method = inner.expression.name.text;
  const from = method === "from" && ts.isIdentifier(inner.expression.expression);
  if (method !== "map" && !from) return false;
  const callback = inner.arguments[from ? 1 : 0];
  if (callback === undefined || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return false;
  if (callback.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return true;
  return ts.isArrowFunction(callback) && !ts.isBlock(callback.body) && isStartedCall(callback.body);
}

/** `for (const x of <name>)` loops whose body awaits their variable. */
function forOfLoopsOver(statement: ts.Node, name: string): ts.Node[] {
  const loops: ts.Node[] = [];
  const visit = (node: ts.Node) => {
    if (isFunctionLike(node)) return;
    if (ts.isForOfStatement(node) && ts.isIdentifier(node.expression) && node.expression.text === name) {
      const variable = loopVariable(node);
      if (variable !== undefined && consumption(node.statement, variable)) loops.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(statement);
  return loops;
}

/** The name a `for (const x of ...)` binds, when it binds one name. */
function loopVariable(loop: ts.ForOfStatement): string | undefined {
  const list = loop.initializer;
  const declared = ts.isVariableDeclarationList(list) ? list.declarations[0]?.name : undefined;
  return declared && ts.isIdentifier(declared) ? declared.text : undefined;
}

/** Where `statement` awaits the promise `name`: `await name`, `await expect(name)...`, `await expectError(name, ...)`. */
function consumption(statement: ts.Node, name: string): ts.Node | undefined {
  let use: ts.Node | undefined;
  const visit = (node: ts.Node) => {
    if (use !== undefined || isFunctionLike(node)) return;
    if (ts.isAwaitExpression(node) && awaitsName(node.expression, name)) use = node;
    else ts.forEachChild(node, visit);
  };
  visit(statement);
  return use;
}

function awaitsName(expression: ts.Expression, name: string): boolean {
  const inner = unwrap(expression);
  if (ts.isIdentifier(inner)) return inner.text === name;
  // expect(name).rejects.toThrow(...), expect(name).resolves...
  let call: ts.Expression = inner;
  while (ts.isCallExpression(call) || ts.isPropertyAccessExpression(call)) {
    if (ts.isCallExpression(call)) {
      const callee = call.expression;
      const first = call.arguments[0];
      const named =
        first !== undefined && ts.isIdentifier(unwrap(first)) && (unwrap(first) as ts.Identifier).text === name;
      if (named && ts.isIdentifier(callee) && ["expect", "expectError"].includes(callee.text)) return true;
    }
    call = call.expression;
  }
  return false;
}

/** Whether `statement` awaits something else before its await of the promise (`use`). */
function awaitsBefore(statement: ts.Node, use: ts.Node): boolean {
  let earlier = false;
  const visit = (node: ts.Node) => {
    if (earlier || isFunctionLike(node) || node.getStart() >= use.getStart()) return;
    if (ts.isAwaitExpression(node) && node !== use) earlier = node.getEnd() <= use.getStart();
    ts.forEachChild(node, visit);
  };
  visit(statement);
  return earlier;
}

function containsAwait(node: ts.Node): boolean {
  if (isFunctionLike(node)) return false;
  if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined)) return true;
  return ts.forEachChild(node, containsAwait) ?? false;
}

function isFunctionLike(node: ts.Node): boolean {
  return ts.isFunctionLike(node) || ts.isClassLike(node);
}

function at(node: ts.Node, file: ts.SourceFile, name: string, why: string): LateAwait {
  return { line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1, name, why };
}
