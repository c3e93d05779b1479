import { readFileSync } from "node:fs";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import type { CapturedCall } from "../../apps/gateway/capture/capture-line.js";
import { replayCapture, versionedPath } from "../../apps/gateway/capture/replay/replay.js";
import { PrivacyMarks } from "../../runtime/privacy/privacy-marks.js";

// `npm run replay -- --version v2` against contracts holding a second
// version of one package, hr.selfservice.v2, whose SelfService has
// GetMyProfile only. No call is sent here: the target is never reached.

const DESCRIPTOR_SET = readFileSync(new URL("../../generated/descriptor.binpb", import.meta.url));

function withSelfServiceV2(): PrivacyMarks {
  const set = fromBinary(FileDescriptorSetSchema, DESCRIPTOR_SET);
  const v2 = create(FileDescriptorProtoSchema, {
    name: "hr/selfservice/v2/self_service.proto",
    package: "hr.selfservice.v2",
    syntax: "proto3",
    dependency: ["hr/selfservice/v1/self_service.proto"],
    service: [
      {
        name: "SelfService",
        method: [
          {
            name: "GetMyProfile",
            inputType: ".hr.selfservice.v1.GetMyProfileRequest",
            outputType: ".hr.selfservice.v1.GetMyProfileResponse",
          },
        ],
      },
    ],
  });
  set.file.push(v2);
  return new PrivacyMarks(createFileRegistry(set));
}

const marks = withSelfServiceV2();
const call = (path: string): CapturedCall => ({
  time: "2026-12-01T10:00:00.000Z",
  path,
  tenantId: "acme",
  userId: "u1",
  requestId: "r1",
  request: {},
  response: {},
  status: 200,
  durationMs: 1,
});

describe("replaying on another version", () => {
  it("calls the packages that have the version on it, and the others as captured", () => {
    const v2 = (path: string) => versionedPath(path, "v2", marks);
    expect(v2("/hr.selfservice.v1.SelfService/GetMyProfile")).toBe("/hr.selfservice.v2.SelfService/GetMyProfile");
    expect(v2("/hr.selfservice.v1.SelfService/ListMyLeaveAccounts")).toBe(
      "/hr.selfservice.v2.SelfService/ListMyLeaveAccounts",
    );
    expect(v2("/hr.session.v1.SessionService/Login")).toBe("/hr.session.v1.SessionService/Login");
  });

  it("reports a method the new version lacks as a difference, without calling anything", async () => {
    const [replayed] = await replayCapture([call("/hr.selfservice.v1.SelfService/ListMyLeaveAccounts")], {
      target: "http://127.0.0.1:1",
      marks,
      caller: { token: "t", tenantId: "acme", userId: "u1" },
      version: "v2",
    });
    expect(replayed?.outcome).toEqual({
      kind: "different",
      differences: [
        {
          path: "(method)",
          captured: "/hr.selfservice.v1.SelfService/ListMyLeaveAccounts",
          now: "/hr.selfservice.v2.SelfService/ListMyLeaveAccounts is not in the contracts",
        },
      ],
    });
  });
});
