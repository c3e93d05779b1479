import { describe, expect, it } from "vitest";
import { decodePageToken, encodePageToken } from "../../runtime/db/page-token.js";
import { DomainError } from "../../runtime/domain/domain-error.js";

// Page tokens are signed (HMAC under PAGE_TOKEN_KEY) over the method, the
// tenant, the filters and the page's last key.

const listEmployees = { name: "ListEmployees" };
const listAccounts = { name: "ListAccounts" };
const filter = { departmentId: undefined, status: "active" };

function refusal(decode: () => unknown): string | undefined {
  try {
    decode();
  } catch (error) {
    return error instanceof DomainError ? error.reason : "not a domain error";
  }
  return undefined;
}

describe("page tokens", () => {
  const token = encodePageToken(listAccounts, "acme", filter, "0190a0b1-0000-7000-8000-000000000001");

  it("answer the last key to the method, tenant and filters they were issued for", () => {
    expect(decodePageToken(listAccounts, token, "acme", { ...filter })).toBe("0190a0b1-0000-7000-8000-000000000001");
  });

  it("are refused by another method, even with the same tenant and filters", () => {
    expect(refusal(() => decodePageToken(listEmployees, token, "acme", filter))).toBe("INVALID_PAGE_TOKEN");
  });

  it("cannot be forged without the key: an unsigned or re-keyed token is refused", () => {
    const forged = Buffer.from(JSON.stringify({ k: "x' OR 1=1", s: "AAAA" })).toString("base64url");
    expect(refusal(() => decodePageToken(listAccounts, forged, "acme", filter))).toBe("INVALID_PAGE_TOKEN");
    expect(refusal(() => decodePageToken(listAccounts, token, "globex", filter))).toBe("INVALID_PAGE_TOKEN");
    expect(refusal(() => decodePageToken(listAccounts, token, "acme", { status: "pending" }))).toBe(
      "INVALID_PAGE_TOKEN",
    );
  });
});
