// HTTPRoute filters: header modifiers, redirects and URL rewrites, as IR route fields.
import { HeaderModifier, Redirect, Route, UrlRewrite, normalizePath } from "../model/ir";
import { compact } from "./objects";
import { unnormalizablePath } from "./matches";

/** What a rule does besides choosing a backend. */
export type RuleAction = Omit<Route, "name" | "frontends" | "hostnames" | "path" | "headers" | "queryParams" | "method" | "backends">;

/**
 * Applies one filter (at `where`) to the rule's action. A filter we do not support is named in
 * `unsupported` (the rule answers 500); a value the data plane cannot take is described in
 * `invalid` (the rule is left out).
 */
export function applyFilter(f: any, where: string, action: RuleAction, unsupported: string[], invalid: string[]): void {
  switch (f.type) {
    case "RequestHeaderModifier":
      action.requestHeaders = headerModifier(f.requestHeaderModifier);
      return;
    case "ResponseHeaderModifier":
      action.responseHeaders = headerModifier(f.responseHeaderModifier);
      return;
    case "RequestRedirect":
      action.redirect = redirectOf(f.requestRedirect ?? {}, `${where}.requestRedirect.path`, invalid);
      return;
    case "URLRewrite":
      action.rewrite = rewriteOf(f.urlRewrite ?? {}, `${where}.urlRewrite.path`, invalid);
      return;
    default:
      unsupported.push(`filter ${f.type}`);
  }
}

function headerModifier(spec: any = {}): HeaderModifier {
  const pairs = (list: any[] | undefined) => (list?.length ? list.map((h) => ({ name: h.name, value: h.value })) : undefined);
  return compact({ set: pairs(spec.set), add: pairs(spec.add), remove: spec.remove?.length ? [...spec.remove] : undefined });
}

/** The replacement path, normalized as the data plane sends paths on. */
function pathModifier(path: any, where: string, invalid: string[]): UrlRewrite["path"] {
  if (!path) return undefined;
  const prefix = path.type === "ReplacePrefixMatch";
  const field = prefix ? "replacePrefixMatch" : "replaceFullPath";
  const written = String((prefix ? path.replacePrefixMatch : path.replaceFullPath) ?? "/");
  const value = normalizePath(written);
  if (value === null) invalid.push(unnormalizablePath(`${where}.${field}`, written));
  return { type: prefix ? "ReplacePrefixMatch" : "ReplaceFullPath", value: value ?? written };
}

function redirectOf(spec: any, where: string, invalid: string[]): Redirect {
  return compact({ scheme: spec.scheme, hostname: spec.hostname, port: spec.port, path: pathModifier(spec.path, where, invalid), statusCode: spec.statusCode });
}

function rewriteOf(spec: any, where: string, invalid: string[]): UrlRewrite {
  return compact({ hostname: spec.hostname, path: pathModifier(spec.path, where, invalid) });
}
