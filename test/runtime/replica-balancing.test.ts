import { createServer, type Server, ServerError, Status } from "nice-grpc";
import { afterEach, describe, expect, it } from "vitest";
import { readGatewayConfig } from "../../apps/gateway/gateway-config.js";
import { readReplicaBalancing } from "../../runtime/client/client-config.js";
import { grpcTarget } from "../../runtime/client/grpc-target.js";
import type { ReplicaBalancing } from "../../runtime/client/replica-balancing.js";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import { testClientPolicy } from "../support/callers.js";

// The platform's clients over two replicas on real sockets: round-robin, a
// safe call that fails on one replica retried on the other, and outlier
// ejection of a replica that stays connected but fails most calls. Then the
// ways an operator writes the replicas' addresses.
// Run alone: npm test -- test/runtime/replica-balancing.test.ts

// Raw bytes as a ts-proto message type: nice-grpc keeps the method options
// (the idempotency level the retries read) of a ts-proto definition only.
const RawBytes = { encode: (b: Uint8Array) => ({ finish: () => b }), decode: (b: Uint8Array) => b };
const method = (name: string, options: { idempotencyLevel?: "NO_SIDE_EFFECTS" }) => ({
  ...{
    name,
    requestType: RawBytes,
    requestStream: false as const,
    responseType: RawBytes,
    responseStream: false as const,
  },
  options,
});
/** `read` is safe to retry (NO_SIDE_EFFECTS), `write` is not. Each answers the name of the replica that served it. */
const ReplicaDefinition = {
  name: "Replica",
  fullName: "test.Replica",
  methods: { read: method("Read", { idempotencyLevel: "NO_SIDE_EFFECTS" }), write: method("Write", {}) },
} as const;

/** A replica: answers with its name, or UNAVAILABLE while `failing`; counts the calls it got. */
class Replica {
  calls = 0;
  failing = false;
  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly server: Server,
  ) {}

  static async start(name: string): Promise<Replica> {
    const server = createServer();
    const answer = async () => {
      replica.calls++;
      if (replica.failing) throw new ServerError(Status.UNAVAILABLE, `${name} cannot serve`);
      return new TextEncoder().encode(name);
    };
    server.add(ReplicaDefinition, { read: answer, write: answer });
    const replica = new Replica(name, await server.listen("127.0.0.1:0"), server);
    return replica;
  }

  stop(): Promise<void> {
    this.server.forceShutdown();
    return Promise.resolve();
  }
}

const started: { stop(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const one of started.splice(0)) await one.stop();
});

async function twoReplicas(balancing: Partial<ReplicaBalancing> = {}) {
  const a = await Replica.start("a");
  const b = await Replica.start("b");
  const channel = openChannel(`127.0.0.1:${a.port},127.0.0.1:${b.port}`, {
    balancing: { ...readReplicaBalancing({}), ...balancing },
  });
  started.push(a, b, { stop: () => channel.close() });
  // Retries as the platform's clients make them (the tests' own policy makes none).
  const client = createServiceClient(ReplicaDefinition, channel, { ...testClientPolicy, maxAttempts: 3 });
  const servedBy = async (call: "read" | "write") => {
    try {
      return new TextDecoder().decode(await client[call](new Uint8Array()));
    } catch (error) {
      return `failed: ${(error as Error).message}`;
    }
  };
  // Until both are connected, calls go to whichever connected first; from then on, in turn.
  for (let i = 0; a.calls === 0 || b.calls === 0; i++) {
    if (i > 100) throw new Error("the client never reached both replicas");
    await servedBy("write");
  }
  a.calls = 0;
  b.calls = 0;
  return { a, b, servedBy };
}

describe("a client of two replicas", () => {
  it("spreads calls over both, round-robin", async () => {
    const { a, b, servedBy } = await twoReplicas();
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await servedBy("write"));
    expect(answers.filter((name) => name === "a")).toHaveLength(10);
    expect(answers.filter((name) => name === "b")).toHaveLength(10);
    expect([a.calls, b.calls]).toEqual([10, 10]);
  });

  it("retries a safe call that one replica fails on the other: the caller sees only answers", async () => {
    const { a, b, servedBy } = await twoReplicas({ ejectionFailureShare: 0 });
    a.failing = true;
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await servedBy("read"));
    expect(answers).toEqual(Array(20).fill("b"));
    expect(a.calls).toBeGreaterThan(0);
    expect(b.calls).toBe(20);
  });

  it("ejects a replica that fails most calls, so that even calls that are not retried stop failing", async () => {
    const { a, b, servedBy } = await twoReplicas({
      ejectionFailureShare: 0.5,
      ejectionMinCalls: 5,
      ejectionIntervalMs: 100,
      ejectionBaseMs: 600_000,
    });
    a.failing = true;
    // Calls until the balancer has judged a (it does every 100 ms): then 20 answers in a row.
    let inARow = 0;
    for (let i = 0; inARow < 20; i++) {
      if (i > 10_000) throw new Error("a was never ejected");
      inARow = (await servedBy("write")) === "b" ? inARow + 1 : 0;
    }
    const callsToA = a.calls;
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push(await servedBy("write"));
    expect(answers).toEqual(Array(50).fill("b"));
    expect(a.calls).toBe(callsToA);
    expect(b.calls).toBeGreaterThanOrEqual(70);
  });

  it("without ejection, keeps sending a failing replica its share of the calls", async () => {
    const { a, servedBy } = await twoReplicas({ ejectionFailureShare: 0 });
    a.failing = true;
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push(await servedBy("write"));
    expect(answers.filter((answer) => answer.startsWith("failed: "))).toHaveLength(25);
    expect(a.calls).toBe(25);
  });
});

describe("the replicas' addresses, as an operator writes them", () => {
  it("takes one address, a list of IP addresses, or any gRPC target", () => {
    expect(grpcTarget("127.0.0.1:50051")).toBe("127.0.0.1:50051");
    expect(grpcTarget("127.0.0.1:50051, 127.0.0.1:50151")).toBe("ipv4:127.0.0.1:50051,127.0.0.1:50151");
    expect(grpcTarget("[::1]:50051,[::1]:50151")).toBe("ipv6:[::1]:50051,[::1]:50151");
    expect(grpcTarget("ipv4:10.0.0.1:50051,10.0.0.2:50051")).toBe("ipv4:10.0.0.1:50051,10.0.0.2:50051");
    expect(grpcTarget("dns:///people:50051")).toBe("dns:///people:50051");
    expect(() => grpcTarget("people-1:50051,people-2:50051")).toThrow(/dns:\/\/\//);
    expect(() => grpcTarget("127.0.0.1:50051,[::1]:50151")).toThrow(/one family/);
  });

  it("names the variable of a list it cannot take", async () => {
    const { directoryVariables } = await import("../../apps/directory/directory-config.js");
    expect(() => directoryVariables.read({ DIRECTORY_PEOPLE_TARGET: "a:1,b:2" })).toThrow(/DIRECTORY_PEOPLE_TARGET/);
    expect(directoryVariables.read({ DIRECTORY_PEOPLE_TARGET: "127.0.0.1:1,127.0.0.1:2" })).toEqual({
      DIRECTORY_PEOPLE_TARGET: "ipv4:127.0.0.1:1,127.0.0.1:2",
    });
  });

  it("gives a gateway upstream every replica listed after its package", () => {
    const { upstreams } = readGatewayConfig({
      GATEWAY_UPSTREAMS:
        "hr.session.v1=127.0.0.1:50056,127.0.0.1:50156,hr.selfservice.v1=dns:///self-service:50057,hr.directory.v1=127.0.0.1:50052",
    });
    expect(Object.fromEntries(upstreams)).toEqual({
      "hr.session.v1": "ipv4:127.0.0.1:50056,127.0.0.1:50156",
      "hr.selfservice.v1": "dns:///self-service:50057",
      "hr.directory.v1": "127.0.0.1:50052",
    });
    expect(() => readGatewayConfig({ GATEWAY_UPSTREAMS: "hr.session.v1=a:1,b:2" })).toThrow(
      /GATEWAY_UPSTREAMS: hr.session.v1/,
    );
  });
});
