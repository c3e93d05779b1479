import { describe, expect, it } from "vitest";
import { DomainError } from "../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../runtime/domain/validation.js";
import {
  type Account,
  assignRoles,
  changePassword,
  checkPasswordChange,
  createAccount,
  disableAccount,
  draftAccount,
  enableAccount,
  type NewAccount,
  recordVerification,
  requireAdministers,
  requireHeldRoles,
  viewOf,
} from "../../services/identity/account/account.js";
import {
  digestSecrets,
  hashPassword,
  verifyAgainstDummy,
  verifyPassword,
} from "../../services/identity/account/password-hash.js";
import { checkNewPassword, checkTypedCredentials } from "../../services/identity/account/password-policy.js";
import { DEFAULT_SIGN_IN_THROTTLE, waitAfter } from "../../services/identity/account/sign-in-throttle.js";
import { readIdentitySettings } from "../../services/identity/identity-config.js";

const T0 = "2025-01-01T00:00:00.000Z";
const T1 = "2025-02-01T00:00:00.000Z";
const ID = "00000000-0000-4000-8000-000000000001";
const EMPLOYEE_ID = "00000000-0000-4000-8000-0000000000e1";
const HASH = "scrypt$16384$8$1$c2FsdA==$a2V5";
const PASSWORD = "correct horse battery staple";

function account(overrides: Partial<Account> = {}): Account {
  const base: Account = {
    ...{ id: ID, tenantId: "tenant-a", loginName: "ada@example.com", employeeId: EMPLOYEE_ID },
    ...{ displayName: "Ada", roles: ["employee"], status: "active", failedVerifications: 0, passwordHash: HASH },
    ...{ lastFailureTime: null, passwordChangeTime: T0, version: 3, createTime: T0, updateTime: T0 },
  };
  return Object.freeze({ ...base, ...overrides });
}

function newAccount(overrides: Partial<NewAccount> = {}): NewAccount {
  const base = { id: ID, tenantId: "tenant-a", loginName: "ada@example.com", employeeId: "", displayName: "Ada" };
  return { ...base, roles: ["employee"], initialPassword: PASSWORD, ...overrides };
}

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

const fieldsOf = (error: DomainError) => error.fieldViolations.map((v) => v.field);

function policyViolations(password: string, loginName = "ada@example.com"): string[] {
  const checks = new FieldChecks();
  checkNewPassword(checks, "new_password", password, loginName);
  return checks.violations.map((v) => v.description);
}

describe("password policy", () => {
  it.each([
    ["x".repeat(11), "must be 12 to 128 characters"],
    ["x".repeat(129), "must be 12 to 128 characters"],
    ["x".repeat(10_000), "must be 12 to 128 characters"],
    ["", "is required"],
    ["aaaaaaaaaaaa", "must not be one character repeated"],
    ["😀".repeat(12), "must not be one character repeated"],
    ["ADA@example.com", "must not be the login name"],
    [" ada@example.com ", "must not be the login name"],
    ["abcdefghijk\udc00", "must be valid Unicode"],
  ])("refuses %j", (password, description) => {
    expect(policyViolations(password)).toEqual([description]);
  });

  it("counts characters, not UTF-16 units, and accepts the limits", () => {
    expect(policyViolations(`${"😀".repeat(11)}!`)).toEqual([]);
    expect(policyViolations(`${"é".repeat(127)}!`)).toEqual([]);
    expect(policyViolations(`${"😀".repeat(10)}!`)).toEqual(["must be 12 to 128 characters"]);
    expect(policyViolations("aaaaaaaaaaab")).toEqual([]);
  });

  it("never quotes the password in a description", () => {
    for (const password of ["short", "ada@example.com", "qqqqqqqqqqqq"]) {
      expect(policyViolations(password).join(" ")).not.toContain(password);
    }
  });

  it("only bounds typed credentials, leaving anything else to the uniform refusal", () => {
    const typed = (login: string, password: string) => {
      const checks = new FieldChecks();
      checkTypedCredentials(checks, login, password);
      return checks.violations.map((v) => v.field);
    };
    expect(typed("not an email", "short")).toEqual([]);
    expect(typed("  ", "")).toEqual(["login_name", "password"]);
    expect(typed("a".repeat(255), "p".repeat(1025))).toEqual(["login_name", "password"]);
  });
});

describe("draftAccount and createAccount", () => {
  it("normalizes and creates an active account at version 1", () => {
    const draft = draftAccount(
      newAccount({
        loginName: " Ada@Example.COM ",
        employeeId: EMPLOYEE_ID.toUpperCase(),
        displayName: " Ada ",
        roles: ["tenant_admin", "employee", "tenant_admin"],
      }),
    );
    const created = createAccount(draft, HASH, T1);
    expect(created).toEqual({
      ...{ id: ID, tenantId: "tenant-a", loginName: "ada@example.com", employeeId: EMPLOYEE_ID, displayName: "Ada" },
      ...{ roles: ["employee", "tenant_admin"], status: "active", failedVerifications: 0, passwordHash: HASH },
      ...{ lastFailureTime: null, passwordChangeTime: T1, version: 1, createTime: T1, updateTime: T1 },
    });
    expect(JSON.parse(JSON.stringify(created))).toEqual(created);
    expect(draft).not.toHaveProperty("initialPassword");
  });

  it("lists every bad field at once", () => {
    const input = { loginName: "ada", employeeId: "e1", displayName: "", roles: [], initialPassword: "ada" };
    const error = refusal(() => draftAccount(newAccount(input)));
    expect(error.kind).toBe("invalid_argument");
    expect(fieldsOf(error)).toEqual(["login_name", "employee_id", "display_name", "roles", "initial_password"]);
  });

  it("refuses unknown roles by position and too many entries", () => {
    expect(
      fieldsOf(refusal(() => draftAccount(newAccount({ roles: ["employee", "root", "unknown role 99"] })))),
    ).toEqual(["roles[1]", "roles[2]"]);
    expect(fieldsOf(refusal(() => draftAccount(newAccount({ roles: Array(33).fill("employee") }))))).toEqual(["roles"]);
  });
});

describe("viewOf", () => {
  it("leaves out the password hash and nothing else", () => {
    const view = viewOf(account());
    expect(view).not.toHaveProperty("passwordHash");
    expect(JSON.stringify(view)).not.toContain("scrypt");
    expect({ ...view, passwordHash: HASH }).toEqual(account());
  });
});

describe("checkPasswordChange", () => {
  const change = { currentPassword: "", newPassword: "a brand new password" };
  const own = { kind: "own" } as const;
  const resetBy = (...callerRoles: string[]) => ({ kind: "reset", callerRoles }) as const;

  it("asks the account itself for the current password, and an administrator's reset not", () => {
    const error = refusal(() => checkPasswordChange(account(), change, own));
    expect(fieldsOf(error)).toEqual(["current_password"]);
    expect(checkPasswordChange(account(), { ...change, currentPassword: "x" }, own)).toEqual({
      verifyCurrentPassword: true,
    });
    for (const by of [resetBy("employee", "hr_admin"), resetBy("employee", "tenant_admin")]) {
      expect(checkPasswordChange(account({ status: "locked" }), change, by)).toEqual({
        verifyCurrentPassword: false,
      });
    }
  });

  it("refuses a reset by a caller lacking one of the account's roles, before any other check", () => {
    const admin = account({ roles: ["employee", "tenant_admin"] });
    const error = refusal(() => checkPasswordChange(admin, { ...change, newPassword: "x" }, resetBy("hr_admin")));
    expect(error.kind).toBe("permission_denied");
    expect(error.reason).toBe("ROLE_NOT_HELD");
    expect(error.message).toContain("employee, tenant_admin");
  });

  it("refuses the account itself when locked or disabled, after the field checks", () => {
    const given = { ...change, currentPassword: PASSWORD };
    for (const [status, reason] of [
      ["locked", "ACCOUNT_LOCKED"],
      ["disabled", "ACCOUNT_DISABLED"],
    ] as const) {
      const error = refusal(() => checkPasswordChange(account({ status }), given, own));
      expect(error.kind).toBe("failed_precondition");
      expect(error.reason).toBe(reason);
      expect(error.preconditionViolations[0]?.subject).toBe(`accounts/${ID}`);
    }
    const both = refusal(() => checkPasswordChange(account({ status: "locked" }), { ...given, newPassword: "x" }, own));
    expect(fieldsOf(both)).toEqual(["new_password"]);
  });

  it("checks the new password against the account's login name", () => {
    const error = refusal(() =>
      checkPasswordChange(account(), { ...change, newPassword: "Ada@Example.com" }, resetBy("employee")),
    );
    expect(fieldsOf(error)).toEqual(["new_password"]);
  });
});

describe("no privilege escalation", () => {
  it("grants only roles the caller holds: only a tenant admin grants tenant_admin", () => {
    expect(() => requireHeldRoles(["hr_admin", "employee"], ["employee", "hr_admin"], "x")).not.toThrow();
    const error = refusal(() => requireHeldRoles(["hr_admin", "employee"], ["employee", "tenant_admin"], "x"));
    expect(error.kind).toBe("permission_denied");
    expect(error.reason).toBe("ROLE_NOT_HELD");
    expect(error.message).toContain("tenant_admin");
    expect(error.message).not.toContain("employee");
  });

  it("assigns roles only on an account whose roles, old and new, the caller holds", () => {
    const caller = ["hr_admin", "employee", "manager"];
    expect(assignRoles(account(), ["manager"], caller, T1).roles).toEqual(["manager"]);
    expect(refusal(() => assignRoles(account(), ["tenant_admin"], caller, T1)).reason).toBe("ROLE_NOT_HELD");
    const stronger = account({ roles: ["tenant_admin"] });
    expect(refusal(() => assignRoles(stronger, ["employee"], caller, T1)).reason).toBe("ROLE_NOT_HELD");
    expect(refusal(() => requireAdministers(caller, stronger)).reason).toBe("ROLE_NOT_HELD");
    expect(() => requireAdministers(caller, account())).not.toThrow();
  });
});

describe("commands", () => {
  it("changes the password, resets the counter, keeps the status", () => {
    const a = account({ status: "locked", failedVerifications: 5 });
    expect(changePassword(a, "scrypt$new", T1)).toEqual({
      ...a,
      ...{ passwordHash: "scrypt$new", passwordChangeTime: T1, failedVerifications: 0, version: 4, updateTime: T1 },
    });
  });

  it("assigns a whole role set, and refuses an empty one", () => {
    expect(assignRoles(account(), ["manager", "employee", "manager"], ["employee", "manager"], T1)).toMatchObject({
      roles: ["employee", "manager"],
      version: 4,
    });
    expect(fieldsOf(refusal(() => assignRoles(account(), [], ["employee"], T1)))).toEqual(["roles"]);
  });

  it("disables an active or locked account, and refuses a disabled one", () => {
    for (const status of ["active", "locked"] as const) {
      expect(disableAccount(account({ status }), T1)).toMatchObject({ status: "disabled", version: 4 });
    }
    expect(refusal(() => disableAccount(account({ status: "disabled" }), T1)).reason).toBe("ACCOUNT_ALREADY_DISABLED");
  });

  it("enables a disabled or locked account with a fresh counter, and refuses an active one", () => {
    for (const status of ["disabled", "locked"] as const) {
      const enabled = enableAccount(account({ status, failedVerifications: 5 }), T1);
      expect(enabled).toMatchObject({ status: "active", failedVerifications: 0, version: 4, updateTime: T1 });
    }
    expect(refusal(() => enableAccount(account(), T1)).reason).toBe("ACCOUNT_ALREADY_ACTIVE");
  });
});

describe("recordVerification", () => {
  const throttle = { afterFailures: 5, baseMs: 30_000, ceilingMs: 15 * 60_000 };
  const later = (ms: number) => new Date(Date.parse(T1) + ms).toISOString();

  it("accepts a match without writing when there is nothing to reset", () => {
    const a = account();
    expect(recordVerification(a, true, T1, throttle)).toEqual({ accepted: true, account: a });
    expect(recordVerification(a, true, T1, throttle).account).toBe(a);
  });

  it("resets the counter on a match", () => {
    const result = recordVerification(account({ failedVerifications: 4, lastFailureTime: T0 }), true, T1, throttle);
    expect(result).toEqual({
      accepted: true,
      account: account({ failedVerifications: 0, lastFailureTime: T0, version: 4, updateTime: T1 }),
    });
  });

  it("counts failures and never locks: the account stays active", () => {
    let a = account();
    for (let i = 1; i <= 5; i++) {
      const result = recordVerification(a, false, T1, throttle);
      expect(result.accepted).toBe(false);
      a = result.account;
      expect(a).toMatchObject({ failedVerifications: i, status: "active", lastFailureTime: T1, version: 3 + i });
    }
  });

  it("refuses every attempt during the wait after the 5th failure, uncounted, and checks the next after it", () => {
    const fifth = account({ failedVerifications: 5, lastFailureTime: T1 });
    for (const matches of [true, false]) {
      expect(recordVerification(fifth, matches, later(29_999), throttle)).toEqual({ accepted: false, account: fifth });
    }
    expect(recordVerification(fifth, true, later(30_000), throttle).accepted).toBe(true);
    const sixth = recordVerification(fifth, false, later(30_000), throttle).account;
    expect(sixth).toMatchObject({ failedVerifications: 6, lastFailureTime: later(30_000) });
    // The wait doubles: 60 s after the 6th failure.
    expect(recordVerification(sixth, true, later(89_999), throttle).accepted).toBe(false);
    expect(recordVerification(sixth, true, later(90_000), throttle).accepted).toBe(true);
  });

  it.each(["locked", "disabled"] as const)(
    "refuses a %s account, right password or not, and changes nothing",
    (status) => {
      const a = account({ status, failedVerifications: 2 });
      for (const matches of [true, false])
        expect(recordVerification(a, matches, T1, throttle)).toEqual({ accepted: false, account: a });
    },
  );
});

describe("the sign-in throttle", () => {
  it("waits from the 5th failure in a row, 30 s doubling to at most 15 min", () => {
    const waits = [1, 4, 5, 6, 7, 8, 9, 10, 11, 1_100].map((n) => waitAfter(n, DEFAULT_SIGN_IN_THROTTLE) / 1000);
    expect(waits).toEqual([0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
  });

  it("is configured by the identity process, and refuses settings that make no sense", () => {
    expect(readIdentitySettings({}).signInThrottle).toEqual(DEFAULT_SIGN_IN_THROTTLE);
    const fast = { IDENTITY_SIGN_IN_BACKOFF_BASE_MS: "200", IDENTITY_SIGN_IN_BACKOFF_CEILING_MS: "1000" };
    expect(readIdentitySettings(fast).signInThrottle).toEqual({ afterFailures: 5, baseMs: 200, ceilingMs: 1000 });
    expect(() => readIdentitySettings({ IDENTITY_SIGN_IN_BACKOFF_AFTER_FAILURES: "0" })).toThrow(/1st failure/);
    expect(() => readIdentitySettings({ IDENTITY_SIGN_IN_BACKOFF_BASE_MS: "0" })).toThrow(/at least 1 ms/);
    expect(() => readIdentitySettings({ IDENTITY_SIGN_IN_BACKOFF_CEILING_MS: "1000" })).toThrow(/not be below/);
    expect(() => readIdentitySettings({ IDENTITY_SIGN_IN_BACKOFF_BASE_MS: "soon" })).toThrow(/non-negative integer/);
  });
});

describe("password hashing", () => {
  it("hashes into a self-describing scrypt string with a fresh salt", async () => {
    const [first, second] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{86}==$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain(PASSWORD);
  });

  it("verifies the right password only, after Unicode normalization", async () => {
    const hash = await hashPassword("caf\u00e9 au lait, please");
    expect(await verifyPassword("caf\u00e9 au lait, please", hash)).toBe(true);
    expect(await verifyPassword("cafe\u0301 au lait, please", hash)).toBe(true);
    expect(await verifyPassword("cafe au lait, please", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("verifies with the parameters stored in the hash", async () => {
    const hash = await hashPassword(PASSWORD);
    const [, , , , salt, key] = hash.split("$");
    // Same salt and key under other parameters no longer match: the parameters are really read.
    expect(await verifyPassword(PASSWORD, `scrypt$1024$8$1$${salt}$${key}`)).toBe(false);
  });

  it("throws on a stored value that is no scrypt string", async () => {
    for (const stored of [
      "",
      PASSWORD,
      "scrypt$16384$8$1$c2FsdA==",
      "bcrypt$10$abc$def",
      "scrypt$0$8$1$c2FsdA==$a2V5a2V5a2V5a2V5a2V5",
    ]) {
      await expect(verifyPassword(PASSWORD, stored), stored).rejects.toThrow("not a scrypt string");
    }
  });

  // That it costs as much as a real check is a property of the code (it runs
  // verifyPassword against a real scrypt hash), not asserted by timing here.
  it("always refuses a check made for an unknown login name", async () => {
    expect(await verifyAgainstDummy(PASSWORD)).toBe(false);
    expect(await verifyAgainstDummy("")).toBe(false);
  });

  it("digests request secrets deterministically per scope", async () => {
    const digest = await digestSecrets([PASSWORD], "tenant-a\nrequest-1");
    expect(await digestSecrets([PASSWORD], "tenant-a\nrequest-1")).toBe(digest);
    expect(await digestSecrets([PASSWORD], "tenant-a\nrequest-2")).not.toBe(digest);
    expect(await digestSecrets([`${PASSWORD}!`], "tenant-a\nrequest-1")).not.toBe(digest);
    expect(await digestSecrets(["a", "bc"], "s")).not.toBe(await digestSecrets(["ab", "c"], "s"));
    expect(digest).not.toContain(PASSWORD);
  });
});
