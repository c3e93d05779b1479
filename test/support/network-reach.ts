import type { KubeObject } from "./kubectl.js";

// Which pods of one namespace NetworkPolicies let talk to which, read the way
// Kubernetes reads them: a pod selected by no policy of a direction is open
// in that direction; once selected, only what some rule allows passes, and a
// connection needs the source's egress and the destination's ingress. Only
// what the manifests use is modelled (no endPort, no named namespaces): a
// peer that is not a plain pod selector (an ipBlock, a namespace selector)
// counts as "anything", which errs towards finding more reach, not less.

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Expression[] };
type Expression = { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] };
type Peer = { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: unknown };
type PolicyPort = { port?: number | string; protocol?: string };
type Rule = { from?: Peer[]; to?: Peer[]; ports?: PolicyPort[] };

/** A pod template of the namespace: its workload's name, labels and container ports. */
export interface Pod {
  name: string;
  labels: Record<string, string>;
  ports: { name?: string; containerPort: number; protocol?: string }[];
}

/** The pods the workloads of `objects` run (Deployments, StatefulSets, Jobs). */
export function podsOf(objects: readonly KubeObject[]): Pod[] {
  return objects
    .filter((o) => ["Deployment", "StatefulSet", "Job"].includes(o.kind))
    .map((o) => ({
      name: o.metadata.name,
      labels: o.spec.template.metadata?.labels ?? {},
      ports: o.spec.template.spec.containers.flatMap((c: { ports?: Pod["ports"] }) => c.ports ?? []),
    }));
}

export function selects(selector: Selector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      if (operator === "In") return values.includes(labels[key] ?? "");
      if (operator === "NotIn") return !values.includes(labels[key] ?? "");
      if (operator === "Exists") return key in labels;
      return !(key in labels);
    })
  );
}

/** A peer list admits `pod`: none means everyone; a plain pod selector, the pods it selects. */
function admits(peers: Peer[] | undefined, pod: Pod | "outside"): boolean {
  if (peers === undefined || peers.length === 0) return true;
  return peers.some((peer) => {
    if (peer.ipBlock !== undefined || peer.namespaceSelector !== undefined) return true;
    return pod !== "outside" && selects(peer.podSelector ?? {}, pod.labels);
  });
}

/** A rule's ports cover one of `pod`'s container ports (by number or name). */
function coversPort(ports: PolicyPort[] | undefined, pod: Pod): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some(({ port, protocol = "TCP" }) =>
    pod.ports.some(
      (p) => (p.protocol ?? "TCP") === protocol && (port === undefined || port === p.containerPort || port === p.name),
    ),
  );
}

function typesOf(policy: KubeObject): string[] {
  return policy.spec.policyTypes ?? (policy.spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);
}

/** The rules of `direction` that apply to `pod`, or undefined when no policy isolates it in that direction. */
function rulesFor(policies: readonly KubeObject[], pod: Pod, direction: "Ingress" | "Egress"): Rule[] | undefined {
  const selecting = policies.filter((p) => typesOf(p).includes(direction) && selects(p.spec.podSelector, pod.labels));
  if (selecting.length === 0) return undefined;
  return selecting.flatMap((p) => (direction === "Ingress" ? (p.spec.ingress ?? []) : (p.spec.egress ?? [])));
}

/** Whether `from` may open a connection to one of `to`'s ports. */
export function canReach(policies: readonly KubeObject[], from: Pod, to: Pod): boolean {
  const egress = rulesFor(policies, from, "Egress");
  const ingress = rulesFor(policies, to, "Ingress");
  const out = egress === undefined || egress.some((rule) => admits(rule.to, to) && coversPort(rule.ports, to));
  const into = ingress === undefined || ingress.some((rule) => admits(rule.from, from) && coversPort(rule.ports, to));
  return out && into;
}

/** Whether anything outside the namespace's pods may connect to `pod`. */
export function openToOutside(policies: readonly KubeObject[], pod: Pod): boolean {
  const ingress = rulesFor(policies, pod, "Ingress");
  return ingress === undefined || ingress.some((rule) => admits(rule.from, "outside") && coversPort(rule.ports, pod));
}

/** The ports `pod` may open outside the namespace's pods ("5432/TCP"); "any" when a rule names none, or no policy isolates it. */
export function portsOutside(policies: readonly KubeObject[], pod: Pod): string[] {
  const egress = rulesFor(policies, pod, "Egress");
  if (egress === undefined) return ["any"];
  const ports = egress
    .filter((rule) => admits(rule.to, "outside"))
    .flatMap((rule) => (rule.ports?.length ? rule.ports.map((p) => `${p.port}/${p.protocol ?? "TCP"}`) : ["any"]));
  return [...new Set(ports)].sort();
}
