// The conformance suite's echo server (echo-basic, imported by `agc images`) as a backend for
// e2e tests: a Deployment answering on 3000 (ready on /health) and a Service on `port`.

/** The Deployment `name` of echo-basic pods, which report their pod name and namespace. */
export function echoBasicDeployment(namespace: string, name: string, replicas: number): Record<string, unknown> {
  return {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{
            name, image: "registry.k8s.io/gateway-api/echo-basic:v1.6.0-dev.3", imagePullPolicy: "Never",
            env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }],
            ports: [{ containerPort: 3000 }],
            readinessProbe: { httpGet: { path: "/health", port: 3000 }, periodSeconds: 1 },
          }],
        },
      },
    },
  };
}

/** The Service `name` on `port` in front of that Deployment. */
export function echoBasicService(namespace: string, name: string, port: number): Record<string, unknown> {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ port, targetPort: 3000 }] } };
}
