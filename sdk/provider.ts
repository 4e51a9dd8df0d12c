// The dynamic provider objects. Pulumi serializes a provider into each resource's state; these
// capture only two strings, and load the handlers when the engine calls them, so no library
// is serialized and every version of the package can act on state written by another.
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import type { KindName } from "../model/kinds";

/**
 * How the serialized provider finds the handlers: by package name when the package is
 * installed (state stays valid when the program moves), by path when run from a checkout.
 */
function handlersModule(): string {
  const file = require.resolve("../provider/handlers");
  return file.split(path.sep).includes("node_modules") ? "pulumi-agc/dist/provider/handlers" : file;
}

const cache = new Map<KindName, pulumi.dynamic.ResourceProvider>();

export function providerFor(kind: KindName): pulumi.dynamic.ResourceProvider {
  let provider = cache.get(kind);
  if (!provider) {
    const modulePath = handlersModule();
    const h = () => require(modulePath).handlers[kind];
    provider = {
      check: (olds, news) => h().check(olds, news),
      diff: (id, olds, news) => h().diff(id, olds, news),
      create: (inputs) => h().create(inputs),
      read: (id, props) => h().read(id, props),
      update: (id, olds, news) => h().update(id, olds, news),
      delete: (id, props) => h().delete(id, props),
    };
    cache.set(kind, provider);
  }
  return provider;
}
