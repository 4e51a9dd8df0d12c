// A kubeconfig whose server refuses connections: "no cluster reachable", for previews that must
// say what they could not check.
export const UNREACHABLE_KUBECONFIG = [
  "apiVersion: v1", "kind: Config",
  "clusters: [{name: none, cluster: {server: 'https://127.0.0.1:9'}}]",
  "users: [{name: none, user: {token: none}}]",
  "contexts: [{name: none, context: {cluster: none, user: none}}]",
  "current-context: none", "",
].join("\n");
