import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_AUTHORIZATION_BYTES } from "../../runtime/server/authentication.js";
import { MAX_METADATA_BYTES } from "../../runtime/server/metadata-limit.js";
import { startDirectory } from "../support/directory-under-test.js";
import { expectError } from "../support/grpc-errors.js";
import { handSignedToken } from "../support/hand-signed-tokens.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// A validly signed token carrying a huge claim used to be verified and
// served (up to what Node's HTTP/2 lets through). Now every server answers
// with a status that says why: a token past MAX_AUTHORIZATION_BYTES is
// UNAUTHENTICATED, metadata past MAX_METADATA_BYTES is RESOURCE_EXHAUSTED.
// Past 64 KiB in one header (HPACK-encoded), Node's HTTP/2 itself closes the
// sender's connection before any call exists (see metadata-limit.ts): such a
// token is refused too, and the server goes on serving everyone else.

let people: PeopleUnderTest;
let directory: Awaited<ReturnType<typeof startDirectory>>;

beforeAll(async () => {
  people = await startPeople();
  directory = await startDirectory(people.address);
});

afterAll(async () => {
  await directory?.stop();
  await people?.stop();
});

/** A valid token of the run's key carrying `claimBytes` of padding. */
const paddedToken = (claimBytes: number) => handSignedToken({ claims: { padding: "x".repeat(claimBytes) } });

describe("a validly signed token with a huge claim", () => {
  it("of 40 KB is answered RESOURCE_EXHAUSTED by a data service and by an app", async () => {
    const caller = await paddedToken(40_000);
    const id = randomUUID();
    const calls = [
      () => people.employees.getEmployee({ id }, caller),
      () => directory.directory.getManagerChain({ employeeId: id }, caller),
    ];
    for (const call of calls) {
      const error = await expectError(call(), Status.RESOURCE_EXHAUSTED);
      expect(error.message).toContain(`exceeds the ${MAX_METADATA_BYTES} bytes this server accepts`);
    }
  });

  it("of 20 KB (within the metadata limit) is UNAUTHENTICATED, saying the token is too large", async () => {
    const caller = await paddedToken(20_000);
    const error = await expectError(people.employees.getEmployee({ id: randomUUID() }, caller), Status.UNAUTHENTICATED);
    expect(error.message).toContain(`larger than the ${MAX_AUTHORIZATION_BYTES} bytes accepted`);
  });

  it("of 100 KB is refused by Node's HTTP/2 before any call exists, and the server serves the next caller", async () => {
    const caller = await paddedToken(100_000);
    const error = await expectError(people.employees.getEmployee({ id: randomUUID() }, caller), Status.INTERNAL);
    // RST_STREAM 9 is COMPRESSION_ERROR: nghttp2 refuses one header field past 64 KiB.
    expect(error.message).toContain("RST_STREAM with code 9");
    const next = await paddedToken(1_000);
    await expectError(people.employees.getEmployee({ id: randomUUID() }, next), Status.NOT_FOUND);
  });

  it("of 1 KB is served as any valid token (the limits leave room for real ones)", async () => {
    const caller = await paddedToken(1_000);
    await expectError(people.employees.getEmployee({ id: randomUUID() }, caller), Status.NOT_FOUND);
  });
});
