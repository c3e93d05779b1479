import { Agent, request } from "node:http";
import { DirectoryServiceDefinition } from "../../../generated/proto/hr/directory/v1/directory_service.js";
import { CONCURRENCY } from "../load.js";
import { rawClient } from "../raw-client.js";
import type { RawChannel } from "../raw-grpc-client.js";
import type { PeopleSeed } from "../seed/people.js";
import { type Case, check } from "./case.js";

// The gateway's overhead: the same directory call (GetManagerChain of one
// employee: directory asks people for the employee and the manager) made
// directly to the directory app over gRPC, and through the gateway over
// HTTP/1.1 with JSON, as a web client makes it. The gateway's CPU is charged
// to the second case along with directory's and people's.

const GET_MANAGER_CHAIN = "/hr.directory.v1.DirectoryService/GetManagerChain";

/** Employees whose chain is one manager long (everyone but the first, who manages them). */
const employeeOf = (seed: PeopleSeed, i: number) => seed.employeeIds[1 + (i % (seed.employeeIds.length - 1))] ?? "";

export function directManagerChainCase(channel: RawChannel, seed: PeopleSeed, peopleServers: readonly string[]): Case {
  const directory = rawClient(DirectoryServiceDefinition, channel);
  return {
    name: "GetManagerChain (directory over gRPC)",
    servers: ["directory", ...peopleServers],
    call: async (i) => {
      const chain = await directory.getManagerChain({ employeeId: employeeOf(seed, i) });
      check(chain.managers.length === 1, "GetManagerChain");
    },
  };
}

export function gatewayManagerChainCase(
  gatewayPort: number,
  authorization: string,
  seed: PeopleSeed,
  peopleServers: readonly string[],
): Case {
  // One keep-alive connection per load worker, as a pool of web clients would hold.
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  return {
    name: "GetManagerChain (through the gateway, HTTP/JSON)",
    servers: ["gateway", "directory", ...peopleServers],
    call: async (i) => {
      const body = JSON.stringify({ employeeId: employeeOf(seed, i) });
      const { status, text } = await post(agent, gatewayPort, GET_MANAGER_CHAIN, body, authorization);
      check(status === 200, `gateway answered ${status}: ${text.slice(0, 200)}`);
      check((JSON.parse(text) as { managers?: unknown[] }).managers?.length === 1, "GetManagerChain");
    },
  };
}

function post(
  agent: Agent,
  port: number,
  path: string,
  body: string,
  authorization: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
