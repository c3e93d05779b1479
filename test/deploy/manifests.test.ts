import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { KNOWN_VARIABLES } from "../../generated/config-variables.js";
import {
  DATA_SERVICES,
  DEFAULT_PORTS,
  envPrefix,
  GATEWAY_CONTRACTS,
  type ProcessName,
} from "../../runtime/platform.js";
import { repoRoot } from "../../runtime/repo-root.js";
import { type KubeObject, renderKustomization, skipKubectlTests } from "../support/kubectl.js";
import { canReach, openToOutside, type Pod, podsOf, portsOutside } from "../support/network-reach.js";

// The Kubernetes overlays as kubectl renders them: every object valid against
// the Kubernetes schema, and the rules of docs/deploy.md, checked on the
// rendered objects (what a cluster would receive), not on the files.

const OVERLAYS = ["production", "staging", "testing"] as const;
const PROCESSES = Object.keys(DEFAULT_PORTS) as ProcessName[];
const APPS = PROCESSES.filter((name) => name !== "gateway" && !(DATA_SERVICES as readonly string[]).includes(name));
const COMPONENT = "app.kubernetes.io/component";

/** Validates one object with its kubernetes-models class (a well-kept model of every built-in kind's schema). */
async function validate(object: KubeObject): Promise<void> {
  const { [object.kind]: Model } = await import(`kubernetes-models/${object.apiVersion}/${object.kind}`);
  if (Model === undefined) throw new Error(`kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  new Model(object.kind === "Secret" ? unwrapped(object) : object).validate();
}

/** kustomize folds a Secret's long base64 values over lines, which the API server's decoder skips and the schema's "byte" format does not. */
function unwrapped(secret: KubeObject): KubeObject {
  const data = Object.entries(secret.data ?? {}).map(([key, value]) => [key, String(value).replaceAll("\n", "")]);
  return { ...secret, data: Object.fromEntries(data) };
}

/** The Secrets (and their keys) docs/deploy.md tells the operator to create. */
function operatorSecrets(): Map<string, Set<string>> {
  const doc = readFileSync(path.join(repoRoot, "docs", "deploy.md"), "utf8");
  const section = doc.split("## Secrets the operator provides")[1]?.split("\n## ")[0] ?? "";
  const secrets = new Map<string, Set<string>>();
  for (const row of section.split("\n").filter((line) => line.startsWith("| `"))) {
    const [name, keys] = row.split("|").slice(1, 3);
    const ticked = (cell = "") => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
    secrets.set(ticked(name)[0] as string, new Set(ticked(keys)));
  }
  return secrets;
}

/** Every Secret key a pod refers to: `key` undefined when a volume mounts the whole Secret. */
function secretRefs(workload: KubeObject): { secret: string; key?: string }[] {
  const pod = workload.spec.template.spec;
  const fromEnv = pod.containers.flatMap((c: KubeObject) =>
    (c.env ?? []).flatMap((e: KubeObject) => {
      const ref = e.valueFrom?.secretKeyRef;
      return ref ? [{ secret: ref.name, key: ref.key }] : [];
    }),
  );
  const fromVolumes = (pod.volumes ?? []).flatMap((v: KubeObject) => {
    if (!v.secret) return [];
    const items: { key: string }[] | undefined = v.secret.items;
    return items ? items.map(({ key }) => ({ secret: v.secret.secretName, key })) : [{ secret: v.secret.secretName }];
  });
  return [...fromEnv, ...fromVolumes];
}

const envOf = (deployment: KubeObject): Map<string, KubeObject> =>
  new Map(deployment.spec.template.spec.containers[0].env?.map((e: KubeObject) => [e.name, e]) ?? []);

describe.skipIf(skipKubectlTests()).each(OVERLAYS)("the %s overlay", (overlay) => {
  let objects: KubeObject[];
  const all = (kind: string) => objects.filter((o) => o.kind === kind);
  const named = (kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (found === undefined) throw new Error(`no ${kind} ${name}`);
    return found;
  };
  const platformPods = (): Pod[] => podsOf(objects).filter((pod) => pod.labels[COMPONENT] !== "database");

  beforeAll(() => {
    objects = renderKustomization(`deploy/overlays/${overlay}`);
  });

  it("renders objects that all validate against the Kubernetes schema, in the overlay's namespace", async () => {
    expect(objects.length).toBeGreaterThan(40);
    for (const object of objects) {
      await expect(validate(object), `${object.kind} ${object.metadata.name}`).resolves.toBeUndefined();
      if (object.kind !== "Namespace") expect(object.metadata.namespace).toBe(`hr-${overlay}`);
    }
    expect(named("Namespace", `hr-${overlay}`).metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe(
      "restricted",
    );
  });

  it("runs every process of runtime/platform.ts in a Deployment of its own, on its port", () => {
    expect(
      all("Deployment")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual([...PROCESSES].sort());
    for (const name of PROCESSES) {
      const deployment = named("Deployment", name);
      const [container, ...others] = deployment.spec.template.spec.containers;
      expect(others).toEqual([]);
      expect(container.image).toMatch(/^hr-platform:/);
      expect(container.args).toEqual([name]);
      expect(container.ports.map((p: KubeObject) => p.containerPort)).toEqual([DEFAULT_PORTS[name]]);
      const kind = name === "gateway" ? "edge" : APPS.includes(name) ? "app" : "data-service";
      expect(deployment.spec.template.metadata.labels[COMPONENT], name).toBe(kind);
    }
  });

  it("gives every Deployment health probes, resources, a non-root user and a read-only root", () => {
    for (const deployment of all("Deployment")) {
      const name = deployment.metadata.name as ProcessName;
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0];
      const port = DEFAULT_PORTS[name];
      for (const probe of ["readinessProbe", "livenessProbe"]) {
        if (name === "gateway") expect(container[probe].httpGet, probe).toMatchObject({ port: "http" });
        else expect(container[probe].grpc, `${name} ${probe}`).toEqual({ port });
      }
      expect(container.readinessProbe.httpGet?.path ?? "/healthz/ready").toBe("/healthz/ready");
      for (const bound of ["requests", "limits"]) {
        expect(Object.keys(container.resources[bound]).sort(), `${name} ${bound}`).toEqual(["cpu", "memory"]);
      }
      expect(pod.securityContext.runAsNonRoot, name).toBe(true);
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      });
      // Kubernetes' service links would set GATEWAY_PORT=tcp://..., which the gateway reads as its port.
      expect(pod.enableServiceLinks, name).toBe(false);
      expect(container.envFrom[0].configMapRef.name).toMatch(/^hr-platform-/);
    }
  });

  it("sets only variables the processes read, production's mode outside testing", () => {
    const config = all("ConfigMap").find((c) => c.metadata.name.startsWith("hr-platform-"));
    const known = new Set([...KNOWN_VARIABLES, "NODE_ENV"]);
    const names = [
      ...Object.keys(config?.data ?? {}),
      ...[...all("Deployment"), named("Job", "migrate")].flatMap((w) => [...envOf(w).keys()]),
    ];
    expect(names.filter((name) => !known.has(name))).toEqual([]);
    expect(config?.data.NODE_ENV).toBe(overlay === "testing" ? "development" : "production");
    expect(config?.data.LISTEN_HOST).toBe("0.0.0.0");
  });

  it("makes every gRPC Service headless, the gateway's a plain one", () => {
    expect(
      all("Service")
        .filter((s) => s.metadata.labels?.[COMPONENT] !== "database")
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual([...PROCESSES].sort());
    for (const name of PROCESSES) {
      const service = named("Service", name);
      expect(service.spec.selector).toEqual({ "app.kubernetes.io/name": name });
      expect(service.spec.ports.map((p: KubeObject) => p.port)).toEqual([DEFAULT_PORTS[name]]);
      if (name === "gateway") expect(service.spec.clusterIP).toBeUndefined();
      else expect(service.spec.clusterIP, name).toBe("None");
    }
  });

  it("points every app's targets and the gateway's upstreams at those Services, by dns:///", () => {
    const dns = (name: ProcessName) => `dns:///${name}:${DEFAULT_PORTS[name]}`;
    for (const app of APPS) {
      const env = envOf(named("Deployment", app));
      const read = KNOWN_VARIABLES.filter((v) => v.startsWith(`${envPrefix(app)}_`) && v.endsWith("_TARGET"));
      expect([...env.keys()].filter((v) => v.endsWith("_TARGET")).sort(), app).toEqual([...read].sort());
      for (const variable of read) {
        const target = env.get(variable)?.value;
        const service = DATA_SERVICES.find((name) => target === dns(name));
        expect(service, `${variable}=${target}`).toBeDefined();
      }
    }
    const upstreams = envOf(named("Deployment", "gateway")).get("GATEWAY_UPSTREAMS")?.value as string;
    const routes = upstreams.split(",").map((entry) => entry.trim().split("="));
    expect(routes).toEqual(GATEWAY_CONTRACTS.map((c) => [c.protoPackage, dns(c.process)]));
  });

  it("lets only the gateway reach the apps, and only the apps reach the data services", () => {
    const policies = all("NetworkPolicy");
    const pods = platformPods();
    const component = (pod: Pod) => pod.labels[COMPONENT];
    for (const from of pods) {
      for (const to of pods) {
        const expected =
          (component(from) === "edge" && component(to) === "app") ||
          (component(from) === "app" && component(to) === "data-service");
        expect(canReach(policies, from, to), `${from.name} → ${to.name}`).toBe(expected);
      }
      expect(openToOutside(policies, from), `outside → ${from.name}`).toBe(component(from) === "edge");
      const database = ["data-service", "migration"].includes(component(from) ?? "") || from.name === "onboarding";
      const expectedOut = database ? ["53/TCP", "53/UDP", "5432/TCP"] : ["53/TCP", "53/UDP"];
      expect(portsOutside(policies, from), `${from.name} → outside`).toEqual(expectedOut);
    }
    const postgres = podsOf(objects).find((pod) => pod.name === "postgres");
    if (postgres !== undefined) {
      for (const from of pods) {
        const database = ["data-service", "migration"].includes(component(from) ?? "") || from.name === "onboarding";
        expect(canReach(policies, from, postgres), `${from.name} → postgres`).toBe(database);
      }
    }
  });

  it("refers only to Secrets the overlay generates or docs/deploy.md tells the operator to create", () => {
    const generated = new Map(all("Secret").map((s) => [s.metadata.name, new Set(Object.keys(s.data ?? {}))]));
    const documented = operatorSecrets();
    const workloads = objects.filter((o) => ["Deployment", "StatefulSet", "Job"].includes(o.kind));
    const refs = workloads.flatMap(secretRefs);
    expect(refs.length).toBeGreaterThan(0);
    for (const { secret, key } of refs) {
      const keys = generated.get(secret) ?? documented.get(secret);
      expect(keys, `Secret ${secret}`).toBeDefined();
      if (key !== undefined) expect(keys?.has(key), `Secret ${secret} key ${key}`).toBe(true);
    }
    // Production and staging carry no secret values; testing needs nothing from an operator.
    if (overlay === "testing") for (const { secret } of refs) expect(generated.has(secret), secret).toBe(true);
    else expect(generated.size).toBe(0);
  });

  it("gives each data service its own database and the signing keys only to the apps that sign", () => {
    for (const name of DATA_SERVICES) {
      const env = envOf(named("Deployment", name));
      expect(env.get(`${envPrefix(name)}_DATABASE_URL`)?.valueFrom?.secretKeyRef?.key, name).toBe(name);
      expect([...env.keys()].filter((v) => v.endsWith("_DATABASE_URL")).sort()).toEqual(
        [`${envPrefix(name)}_DATABASE_URL`, "EVENTS_DATABASE_URL"].sort(),
      );
    }
    const signers = all("Deployment")
      .filter((d) => secretRefs(d).some((ref) => ref.secret.startsWith("hr-signing-keys")))
      .map((d) => d.metadata.name);
    expect(signers.sort()).toEqual(["onboarding", "session"]);
    for (const signer of signers) {
      const mounted = secretRefs(named("Deployment", signer)).filter((ref) => ref.secret.startsWith("hr-signing-keys"));
      expect(mounted.map((ref) => ref.key)).toEqual([`${signer}.jwk.json`]);
    }
  });

  it("migrates every data service's database in a Job before the rollout", () => {
    const job = named("Job", "migrate");
    const container = job.spec.template.spec.containers[0];
    expect(container.args).toEqual(["migrate"]);
    expect(container.image).toBe(named("Deployment", "people").spec.template.spec.containers[0].image);
    const urls = [...envOf(job).keys()].filter((v) => v.endsWith("_DATABASE_URL")).sort();
    expect(urls).toEqual(DATA_SERVICES.map((name) => `${envPrefix(name)}_DATABASE_URL`).sort());
    expect(job.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it("bounds disruptions of every process, and scales the stateless ones", () => {
    for (const name of PROCESSES) {
      const budget = named("PodDisruptionBudget", name);
      expect(budget.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": name });
    }
    const scaled = all("HorizontalPodAutoscaler").map((h) => h.spec.scaleTargetRef.name);
    expect(scaled.sort()).toEqual([...APPS, "gateway"].sort());
    for (const name of scaled) expect(named("Deployment", name).spec.replicas, name).toBeUndefined();
    for (const name of DATA_SERVICES) expect(named("Deployment", name).spec.replicas, name).toBeGreaterThan(0);
  });
});

// The checks above must be able to fail: planted violations.
describe.skipIf(skipKubectlTests())("the manifest checks", () => {
  let base: KubeObject[];
  beforeAll(() => {
    base = renderKustomization("deploy/base");
  });

  it("refuses an object the Kubernetes schema refuses", async () => {
    const deployment = structuredClone(base.find((o) => o.kind === "Deployment") as KubeObject);
    deployment.spec.template.spec.containers[0].ports[0].containerPort = "fifty";
    await expect(validate(deployment)).rejects.toThrow(/containerPort must be integer/);
  });

  it("sees a NetworkPolicy that lets the gateway reach a data service", () => {
    const pods = podsOf(base);
    const gateway = pods.find((pod) => pod.name === "gateway") as Pod;
    const people = pods.find((pod) => pod.name === "people") as Pod;
    const policies = base.filter((o) => o.kind === "NetworkPolicy");
    expect(canReach(policies, gateway, people)).toBe(false);
    const planted = structuredClone(policies);
    const dataServices = planted.find((p) => p.metadata.name === "data-services") as KubeObject;
    dataServices.spec.ingress[0].from.push({ podSelector: { matchLabels: { [COMPONENT]: "edge" } } });
    const gatewayPolicy = planted.find((p) => p.metadata.name === "gateway") as KubeObject;
    gatewayPolicy.spec.egress.push({ ports: [{ port: "grpc", protocol: "TCP" }] });
    expect(canReach(planted, gateway, people)).toBe(true);
  });
});
