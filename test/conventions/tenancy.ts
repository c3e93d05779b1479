import { randomUUID } from "node:crypto";
import { Metadata, Status } from "nice-grpc";
import { describe, expect, it } from "vitest";
import { issueCallerToken } from "../../runtime/auth/token-signer.js";
import { as, type Caller, forgedSigner, newTenant, testConfig, testSigner } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type AnyContext, aggregateOf, arrange, everything } from "./adapter.js";

/**
 * Tenancy: the tenant comes only from a verified token; another tenant's
 * aggregate is NOT_FOUND on every read and command and absent from lists.
 */
export function tenancyConvention(noun: string, subject: () => AnyContext) {
  describe("tenancy and authentication", () => {
    it(`hides another tenant's ${noun} from Get, BatchGet and List, with and without a filter`, async () => {
      const context = subject();
      const acme = await as(newTenant());
      const mine = await arrange(context, acme);
      const other = await as(newTenant());
      const error = await expectError(context.get(mine.id, other), Status.NOT_FOUND);
      expect(error.reason).toBe(context.notFoundReason);
      for (const read of context.readsById ?? []) {
        const refused = await expectError(read.call(mine.id, other), Status.NOT_FOUND);
        expect(refused.reason, read.method).toBe(context.notFoundReason);
      }
      if (context.batchGet) {
        expect(await context.batchGet([mine.id], other)).toEqual({ found: [], notFoundIds: [mine.id] });
      }
      expect(await everything(context, other)).toEqual([]);
      expect((await context.list(other, { pageSize: 10, pageToken: "" }, context.filter)).items).toEqual([]);
      expect(await context.get(mine.id, acme)).toEqual(mine);
    });

    it(`answers NOT_FOUND to every command on another tenant's ${noun}, changes nothing and records nothing`, async () => {
      const context = subject();
      const acme = await as(newTenant());
      const mine = await arrange(context, acme);
      const before = await everything(context, acme);
      const otherTenant = newTenant();
      const other = await as(otherTenant);
      const requestIds: string[] = [];
      for (const command of [context.change, ...context.commands]) {
        const requestId = randomUUID();
        requestIds.push(requestId);
        const error = await expectError(command.run(mine, other, { requestId, etag: mine.etag }), Status.NOT_FOUND);
        expect(error.reason, command.method).toBe(context.notFoundReason);
      }
      expect(await everything(context, acme)).toEqual(before);
      expect(await everything(context, other)).toEqual([]);
      // A refused call keeps no answer for replay: the other tenant can still use those request ids.
      for (const requestId of requestIds) {
        await context.create({ ...context.createRequest(), requestId }, other);
      }
      expect(await everything(context, other)).toHaveLength(requestIds.length);
    });

    it("refuses calls without a token, with a forged, expired or malformed one, and writes nothing", async () => {
      const context = subject();
      const tenantId = newTenant();
      const mallory = { tenantId, userId: "mallory", roles: ["hr_admin"] };
      const forged = await issueCallerToken(mallory, await forgedSigner(), testConfig.auth, 300);
      // Past the verifiers' clock tolerance.
      const expired = await issueCallerToken(mallory, testSigner, testConfig.auth, -120);
      const callers: (Caller | undefined)[] = [undefined];
      for (const token of [forged, expired, "not-a-jwt"]) {
        callers.push({ metadata: Metadata({ authorization: `Bearer ${token}` }), tenantId });
      }
      for (const caller of callers) {
        await expectError(context.get(randomUUID(), caller), Status.UNAUTHENTICATED);
        await expectError(context.list(caller, { pageSize: 1, pageToken: "" }), Status.UNAUTHENTICATED);
        await expectError(context.create(context.createRequest(), caller), Status.UNAUTHENTICATED);
      }
      const owner = await as(tenantId);
      expect(await everything(context, owner)).toEqual([]);
      expect(aggregateOf(context, await context.create(context.createRequest(), owner)).id).not.toBe("");
    });
  });
}
