import { describe, expect, it } from "vitest";
import { type CpuProfile, layerOf, summarise } from "../bench/profile-layers.js";

// docs/performance.md reads its breakdowns from these figures: a frame must
// land in the right layer, self times must not be counted twice, and a
// window must take only the samples stamped inside it.

const root = "file:///repo";
const frame = (functionName: string, url = "") => ({
  functionName,
  url,
  scriptId: "0",
  lineNumber: 0,
  columnNumber: 0,
});

describe("layerOf", () => {
  it("names node internals, libraries, our files and V8's own entries", () => {
    expect(layerOf(frame("onStreamRead", "node:internal/http2/core"))).toBe("node: http2");
    expect(layerOf(frame("emit", "node:events"))).toBe("node: other");
    expect(layerOf(frame("sendStatus", `${root}/node_modules/@grpc/grpc-js/build/src/server.js`))).toBe("grpc-js");
    expect(layerOf(frame("x", `${root}/node_modules/nice-grpc-server-middleware/lib/index.js`))).toBe(
      "nice-grpc (and its middleware packages)",
    );
    expect(layerOf(frame("addFields", `${root}/node_modules/pg/lib/result.js`))).toBe("pg");
    expect(layerOf(frame("admit", `${root}/dist/runtime/server/admission.js`))).toBe("runtime/server/admission");
    expect(layerOf(frame("encode", `${root}/dist/generated/proto/hr/employee/v1/employee.js`))).toBe("protobuf coding");
    expect(layerOf(frame("get", `${root}/dist/services/people/employee/employee-rpc.js`))).toBe(
      "services/people/employee/employee-rpc",
    );
    expect(layerOf(frame("(garbage collector)"))).toBe("GC");
    expect(layerOf(frame("stringify"))).toBe("JSON");
    expect(layerOf(frame("writev"))).toBe("native bindings and V8 builtins");
    expect(layerOf(frame("x", `${root}/node_modules/left-pad/index.js`))).toBe("package left-pad");
  });
});

describe("summarise", () => {
  // root → processTicks (node) → handler (our runtime) → writev (native); and GC and idle beside.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)"), children: [2, 5, 6] },
      { id: 2, callFrame: frame("processTicksAndRejections", "node:internal/process/task_queues"), children: [3] },
      { id: 3, callFrame: frame("admit", `${root}/dist/runtime/server/admission.js`), children: [4] },
      { id: 4, callFrame: frame("writev") },
      { id: 5, callFrame: frame("(garbage collector)") },
      { id: 6, callFrame: frame("(idle)") },
    ],
    startTime: 1_000,
    // Samples at 1010, 1020, 1030, 1040, 1050, 1060: each weighs the 10 µs to the next (the last weighs 0).
    samples: [4, 3, 5, 6, 4, 2],
    timeDeltas: [10, 10, 10, 10, 10, 10],
  };

  it("counts each busy sample once as self, and once per layer on its stack as inclusive", () => {
    const w = summarise(profile, 0, Number.MAX_SAFE_INTEGER);
    expect(w.busyMicros).toBe(40); // 4, 3, 5, 4 (idle left out; the last sample weighs nothing)
    expect(w.self.get("native bindings and V8 builtins")).toBe(20);
    expect(w.self.get("runtime/server/admission")).toBe(10);
    expect(w.self.get("our runtime (all files)")).toBe(10);
    expect(w.self.get("GC")).toBe(10); // once, though GC is its own group
    expect(w.self.has("(idle)")).toBe(false);
    expect(w.inclusive.get("runtime/server/admission")).toBe(30);
    expect(w.inclusive.get("node internals (all)")).toBe(30);
    expect(w.inclusive.get("GC")).toBe(10);
  });

  it("takes only the samples stamped inside the window", () => {
    const w = summarise(profile, 1_020, 1_040);
    expect(w.busyMicros).toBe(20); // the samples at 1020 (admit) and 1030 (GC)
    expect(w.self.get("runtime/server/admission")).toBe(10);
    expect(w.self.get("GC")).toBe(10);
    expect(w.self.has("native bindings and V8 builtins")).toBe(false);
  });
});
