// HTTPRoute filters: header modifiers, redirects and URL rewrites, as IR route fields.
import { HeaderModifier, Redirect, Route, UrlRewrite } from "../model/ir";
import { compact } from "./objects";

/** What a rule does besides choosing a backend. */
export type RuleAction = Omit<Route, "name" | "frontends" | "hostnames" | "path" | "headers" | "queryParams" | "method" | "backends">;

/** Applies one filter to the rule's action; a filter we do not support is named in `unsupported`. */
export function applyFilter(f: any, action: RuleAction, unsupported: string[]): void {
  switch (f.type) {
    case "RequestHeaderModifier":
      action.requestHeaders = headerModifier(f.requestHeaderModifier);
      return;
    case "ResponseHeaderModifier":
      action.responseHeaders = headerModifier(f.responseHeaderModifier);
      return;
    case "RequestRedirect":
      action.redirect = redirectOf(f.requestRedirect ?? {});
      return;
    case "URLRewrite":
      action.rewrite = rewriteOf(f.urlRewrite ?? {});
      return;
    default:
      unsupported.push(`filter ${f.type}`);
  }
}

function headerModifier(spec: any = {}): HeaderModifier {
  const pairs = (list: any[] | undefined) => (list?.length ? list.map((h) => ({ name: h.name, value: h.value })) : undefined);
  return compact({ set: pairs(spec.set), add: pairs(spec.add), remove: spec.remove?.length ? [...spec.remove] : undefined });
}

function pathModifier(path: any): UrlRewrite["path"] {
  if (!path) return undefined;
  return path.type === "ReplacePrefixMatch"
    ? { type: "ReplacePrefixMatch", value: path.replacePrefixMatch ?? "/" }
    : { type: "ReplaceFullPath", value: path.replaceFullPath ?? "/" };
}

function redirectOf(spec: any): Redirect {
  return compact({ scheme: spec.scheme, hostname: spec.hostname, port: spec.port, path: pathModifier(spec.path), statusCode: spec.statusCode });
}

function rewriteOf(spec: any): UrlRewrite {
  return compact({ hostname: spec.hostname, path: pathModifier(spec.path) });
}
