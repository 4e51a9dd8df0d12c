// Which Kubernetes API calls a program can make, read from its TypeScript sources with the
// compiler's own parser and type checker (not by running it against an imitation API server).
//
// The scan starts from a program's entry files and follows their imports. It reads:
// - the resource types the code names: object literals with `apiVersion` and `plural` (what
//   informers watch and writes go to), and the REST paths of its calls;
// - each call the code makes through KubeClient (get, find, request, create, apply, mergePatch,
//   remove, watch) or listAndWatch, and the verb the API server authorizes it as: get or list
//   by whether the path names an object, create for POST, update for PUT, patch for PATCH
//   (server-side apply: patch and create), delete, list and watch.
// Strings are followed through constants, template literals, object properties, `this.x`
// assigned in a constructor, resourcePath(...) and the arguments a function is called with
// (`ours(KINDS.Frontend)`); a part known only at run time stands as "~". A call whose path is
// built from data at run time (an informer's type, a status target, a managed object) has a
// verb but no resource: its verb counts as used for every resource the code names. A call that
// only passes its caller's path on (the client's own methods) is left to its callers.
import * as path from "path";
import * as ts from "typescript";
import { resourcePath } from "../../../kube/client";

/** Stands for a part of a string known only at run time. */
export const RUNTIME = "~";

export interface ApiUsage {
  /** `group/resource` of every resource type the code names. */
  named: Set<string>;
  /** `group/resource[/subresource]:verb` of every call whose resource the scan resolved. */
  calls: Set<string>;
  /** Verbs of calls whose resource is chosen at run time (`status:patch` for a status subresource). */
  runtimeVerbs: Set<string>;
  /** The sources read, relative to the package root. */
  files: string[];
}

export interface RestResource {
  group: string;
  resource: string;
  subresource?: string;
  /** Whether the path names one object (GET is then `get`, else `list`). */
  named: boolean;
}

/** The resource a REST path addresses, as the API server's request info reads it; undefined for other paths. */
export function restResource(requestPath: string): RestResource | undefined {
  const segments = requestPath.split("?")[0].split("/").filter(Boolean);
  let rest: string[];
  let group: string;
  if (segments[0] === "api") [group, rest] = ["", segments.slice(2)];
  else if (segments[0] === "apis") [group, rest] = [segments[1] ?? "", segments.slice(3)];
  else return undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) rest = rest.slice(2);
  if (!rest[0]) return undefined;
  return { group, resource: rest[0], subresource: rest[2], named: rest.length >= 2 };
}

const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");
const isKnown = (s: string) => !s.includes(RUNTIME);

/** The verbs of a call by client method (request's verb depends on its HTTP method). */
const METHOD_VERBS: Record<string, (named: boolean) => string[]> = {
  get: (named) => [named ? "get" : "list"],
  find: (named) => [named ? "get" : "list"],
  create: () => ["create"],
  apply: () => ["patch", "create"],
  mergePatch: () => ["patch"],
  remove: () => ["delete"],
  watch: () => ["watch"],
};
const HTTP_VERBS: Record<string, (named: boolean) => string[]> = {
  GET: METHOD_VERBS.get,
  POST: () => ["create"],
  PUT: () => ["update"],
  PATCH: () => ["patch"],
  DELETE: () => ["delete"],
};
const LIST_AND_WATCH = ["listAndWatch", "followObject"];

export function apiUsage(packageRoot: string, entries: string[], exclude: string[] = []): ApiUsage {
  const program = ts.createProgram(entries.map((e) => path.join(packageRoot, e)), {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, esModuleInterop: true, resolveJsonModule: true, skipLibCheck: true, types: ["node"], noEmit: true,
  });
  const checker = program.getTypeChecker();
  const sources = program.getSourceFiles().filter((f) => {
    const relative = path.relative(packageRoot, f.fileName);
    return !f.isDeclarationFile && !relative.startsWith("..") && !relative.includes("node_modules") && !exclude.includes(relative);
  });
  const usage: ApiUsage = { named: new Set(), calls: new Set(), runtimeVerbs: new Set(), files: sources.map((f) => path.relative(packageRoot, f.fileName)).sort() };

  const calls: ts.CallExpression[] = [];
  const objectLiterals: ts.ObjectLiteralExpression[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) calls.push(node);
    if (ts.isObjectLiteralExpression(node)) objectLiterals.push(node);
    ts.forEachChild(node, visit);
  };
  sources.forEach(visit);

  const symbolOf = (node: ts.Node): ts.Symbol | undefined => {
    const symbol = checker.getSymbolAtLocation(node);
    return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  };
  const calleeSymbol = (call: ts.CallExpression) => symbolOf(ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call.expression);
  const calleeName = (call: ts.CallExpression) => calleeSymbol(call)?.getName();
  const property = (literal: ts.ObjectLiteralExpression, name: string) =>
    literal.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === name)?.initializer;
  /** Calls of the function a parameter belongs to. */
  const callsOf = (fn: ts.SignatureDeclaration): ts.CallExpression[] => {
    const target = ts.isVariableDeclaration(fn.parent) ? symbolOf(fn.parent.name) : fn.name ? symbolOf(fn.name) : undefined;
    return target ? calls.filter((c) => calleeSymbol(c) === target) : [];
  };
  const literalsOfType = (type: ts.Type): string[] | undefined => {
    const parts = type.isUnion() ? type.types : [type];
    return parts.every((t) => t.isStringLiteral()) ? parts.map((t) => (t as ts.StringLiteralType).value) : undefined;
  };
  /** Every concatenation of one string per list. */
  const combine = (lists: string[][]): string[] => cartesian(lists).map((parts) => parts.join(""));

  /** The strings an expression can be; undefined when the scan cannot tell. */
  const values = (expr: ts.Expression, depth = 0): string[] | undefined => {
    if (depth > 12) return undefined;
    const inner = (e: ts.Expression) => values(e, depth + 1);
    const orRuntime = (e: ts.Expression) => inner(e) ?? [RUNTIME];
    if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return [expr.text];
    if (ts.isTemplateExpression(expr)) return combine([[expr.head.text], ...expr.templateSpans.flatMap((s) => [orRuntime(s.expression), [s.literal.text]])]);
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr) || ts.isSatisfiesExpression(expr)) return inner(expr.expression);
    if (ts.isConditionalExpression(expr)) return [...orRuntime(expr.whenTrue), ...orRuntime(expr.whenFalse)];
    if (ts.isBinaryExpression(expr)) {
      const op = expr.operatorToken.kind;
      if (op === ts.SyntaxKind.PlusToken) return combine([orRuntime(expr.left), orRuntime(expr.right)]);
      if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) return [...orRuntime(expr.left), ...orRuntime(expr.right)];
      return undefined;
    }
    if (ts.isCallExpression(expr)) {
      if (calleeName(expr) !== "resourcePath") return undefined;
      return cartesian(expr.arguments.map(orRuntime)).map(([apiVersion, plural, namespace, name]) => resourcePath(apiVersion, plural, namespace, name));
    }
    if (!ts.isIdentifier(expr) && !ts.isPropertyAccessExpression(expr)) return undefined;
    const literal = literalsOfType(checker.getTypeAtLocation(expr));
    if (literal) return literal;
    // `EVENTS.plural` where EVENTS is a constant object: its property, whatever type it is declared with.
    if (ts.isPropertyAccessExpression(expr)) {
      const owner = objectLiteralOf(expr.expression);
      const ownProperty = owner && property(owner, expr.name.getText());
      if (ownProperty) return inner(ownProperty);
    }
    const symbol = symbolOf(ts.isPropertyAccessExpression(expr) ? expr.name : expr);
    const found = (symbol?.declarations ?? []).map((d) => declarationValues(d, depth)).filter((v): v is string[] => v !== undefined);
    if (found.length) return found.flat();
    // `param.prop`: what the function's callers pass as that property.
    if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.expression)) {
      const param = symbolOf(expr.expression)?.declarations?.find(ts.isParameter);
      if (param) {
        const index = param.parent.parameters.indexOf(param);
        const passed = callsOf(param.parent).map((c) => c.arguments[index]).filter(Boolean);
        const perCall = passed.map((arg) => {
          const prop = checker.getTypeAtLocation(arg).getProperty(expr.name.text);
          return prop ? literalsOfType(checker.getTypeOfSymbol(prop)) : undefined;
        });
        if (perCall.length && perCall.every(Boolean)) return perCall.flat() as string[];
      }
    }
    return undefined;
  };

  /** The object literal a constant is initialized with. */
  const objectLiteralOf = (expr: ts.Expression): ts.ObjectLiteralExpression | undefined => {
    if (!ts.isIdentifier(expr)) return undefined;
    const declaration = symbolOf(expr)?.declarations?.find(ts.isVariableDeclaration);
    let init = declaration?.initializer;
    while (init && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init))) init = init.expression;
    return init && ts.isObjectLiteralExpression(init) ? init : undefined;
  };

  const declarationValues = (d: ts.Declaration, depth: number): string[] | undefined => {
    if ((ts.isVariableDeclaration(d) || ts.isPropertyAssignment(d) || ts.isPropertyDeclaration(d)) && d.initializer) return values(d.initializer, depth + 1);
    if (ts.isPropertyDeclaration(d) && ts.isClassLike(d.parent)) {
      // Assigned in the constructor: `this.path = ...`.
      const assigned: ts.Expression[] = [];
      const find = (n: ts.Node) => {
        if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && n.left.expression.kind === ts.SyntaxKind.ThisKeyword && n.left.name.text === d.name.getText()) assigned.push(n.right);
        ts.forEachChild(n, find);
      };
      find(d.parent);
      const found = assigned.map((e) => values(e, depth + 1));
      return found.length && found.every(Boolean) ? (found.flat() as string[]) : undefined;
    }
    return undefined;
  };

  /** Whether an expression only passes its function's parameters on. */
  const passesParametersOn = (expr: ts.Expression): boolean => {
    const identifiers: ts.Identifier[] = [];
    const collect = (n: ts.Node) => {
      if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) identifiers.push(n);
      ts.forEachChild(n, collect);
    };
    collect(expr);
    return identifiers.length > 0 && identifiers.every((i) => symbolOf(i)?.declarations?.some(ts.isParameter));
  };

  const record = (pathExpr: ts.Expression | undefined, verbsFor: (named: boolean) => string[], subresource?: string) => {
    if (!pathExpr) return;
    const resolved = (values(pathExpr) ?? []).map((p) => restResource(subresource ? `${p}/${subresource}` : p));
    const known = resolved.filter((r): r is RestResource => r !== undefined && isKnown(r.group) && isKnown(r.resource));
    if (resolved.length && known.length === resolved.length) {
      for (const r of known) {
        usage.named.add(`${r.group}/${r.resource}`);
        const sub = r.subresource && isKnown(r.subresource) ? `/${r.subresource}` : "";
        for (const verb of verbsFor(r.named || Boolean(sub))) usage.calls.add(`${r.group}/${r.resource}${sub}:${verb}`);
      }
      return;
    }
    if (passesParametersOn(pathExpr)) return;
    for (const verb of verbsFor(true)) usage.runtimeVerbs.add(subresource ? `${subresource}:${verb}` : verb);
  };

  for (const call of calls) {
    const name = calleeName(call);
    if (name && LIST_AND_WATCH.includes(name) && !ts.isPropertyAccessExpression(call.expression)) {
      record(call.arguments[1], () => ["list", "watch"]);
      continue;
    }
    if (!ts.isPropertyAccessExpression(call.expression) || checker.getTypeAtLocation(call.expression.expression).getSymbol()?.getName() !== "KubeClient") continue;
    const method = call.expression.name.text;
    const [pathArg, second, third] = call.arguments;
    if (method === "request") {
      const options = second === undefined ? undefined : ts.isObjectLiteralExpression(second) ? second : null;
      if (options === null) continue; // its method is its caller's: the client's plumbing
      const httpMethods = options && property(options, "method") ? values(property(options, "method")!) : ["GET"];
      for (const m of httpMethods ?? []) if (HTTP_VERBS[m]) record(pathArg, HTTP_VERBS[m]);
    } else if (METHOD_VERBS[method]) {
      const subresource = method === "mergePatch" && third ? values(third)?.[0] : undefined;
      record(pathArg, METHOD_VERBS[method], subresource);
    }
  }

  for (const literal of objectLiterals) {
    const apiVersion = property(literal, "apiVersion");
    const plural = property(literal, "plural");
    if (!apiVersion || !plural) continue;
    for (const v of values(apiVersion) ?? []) for (const p of values(plural) ?? []) if (isKnown(v) && isKnown(p)) usage.named.add(`${groupOf(v)}/${p}`);
  }
  return usage;
}

/** Every combination of one value per list. */
function cartesian(lists: string[][]): string[][] {
  return lists.reduce<string[][]>((acc, list) => acc.flatMap((a) => list.map((b) => [...a, b])), [[]]);
}
