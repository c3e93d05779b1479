import { createHash } from "node:crypto";
import { type DescField, type Message, ScalarType } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { ErrorReason } from "../../../generated/proto/hr/gateway/v1/error_reason.js";
import type { ExposedMethod } from "../exposed-methods.js";
import type { CredentialAttemptsConfig } from "../gateway-config.js";
import { addressKey } from "../http/client-address.js";
import { countOrRefuse } from "../limits/rate-limits.js";
import type { EdgeInterceptor } from "./edge-interceptor.js";

/** A tenant named in a body is part of a key in Redis: a longer one (no real tenant id) is counted by its digest. */
const LONGEST_KEY_PART = 128;

/** The request field a public method names its tenant in, by default. */
const TENANT_FIELD = "tenant_id";

/**
 * Password spraying, slowed at the edge: the credential methods may fail
 * UNAUTHENTICATED only `failures` times per window for one client address
 * and one tenant (named by a field of the request: `tenant_id` for Login);
 * past that, further calls from that address for that tenant are refused
 * 429 before they reach upstream, while other tenants' sign-ins from the
 * same address, and that tenant's from other addresses, go on. Nothing here
 * knows what a sign-in is: a method, a field, and the UNAUTHENTICATED code.
 * Unless configured, the credential methods are the ones the contracts make
 * public, which anyone may call without a token: today the session's Login
 * (per address and tenant) and Refresh and Logout (per address; Logout never
 * fails UNAUTHENTICATED, so it only waits once its address is over).
 * An attempt takes its point before it is sent (so a burst of attempts at
 * once cannot overtake the count) and gives it back unless it failed
 * UNAUTHENTICATED: a correct password costs nothing, and cannot wipe the
 * failures either. The counts are shared like the rate limits' (memory or Redis).
 */
export class CredentialAttempts {
  /** The configured methods, each with its tenant field (none: counted per address only). */
  private readonly tenantFields = new Map<string, DescField | undefined>();

  constructor(
    private readonly config: CredentialAttemptsConfig,
    methods: readonly ExposedMethod[],
    private readonly failures: RateLimiterAbstract,
  ) {
    const configured = config.methods ?? publicMethods(methods);
    for (const [path, fieldName] of configured) {
      const exposed = methods.find((method) => method.path === path);
      if (exposed === undefined)
        throw new Error(`GATEWAY_CREDENTIAL_METHODS: ${path} is not a method of the contracts`);
      const field = exposed.method.input.fields.find((f) =>
        [f.name, f.jsonName, f.localName].includes(fieldName ?? ""),
      );
      if (fieldName !== undefined && (field?.fieldKind !== "scalar" || field.scalar !== ScalarType.STRING)) {
        throw new Error(`GATEWAY_CREDENTIAL_METHODS: ${path} has no string field ${fieldName}`);
      }
      this.tenantFields.set(path, field);
    }
  }

  /** Runs `call` of `exposed` from `address`, counting it when it is a credential method that fails UNAUTHENTICATED. */
  async around<T>(
    exposed: Pick<ExposedMethod, "path">,
    request: Message,
    address: string,
    call: () => Promise<T>,
  ): Promise<T> {
    if (!this.tenantFields.has(exposed.path)) return call();
    const field = this.tenantFields.get(exposed.path);
    const tenant = field === undefined ? "" : String((request as unknown as Record<string, unknown>)[field.localName]);
    const key = `${addressKey(address)}/${keyPart(tenant)}`;
    await countOrRefuse(this.failures, key, this.config.failures, ErrorReason.CREDENTIAL_FAILURES_LIMITED);
    let failed = false;
    try {
      return await call();
    } catch (error) {
      failed = error instanceof ConnectError && error.code === Code.Unauthenticated;
      throw error;
    } finally {
      // A count that cannot be given back (Redis gone) errs on the safe side: it stays taken.
      if (!failed) await this.failures.reward(key, 1).catch(() => undefined);
    }
  }
}

/** Around the decoded call, before it takes an upstream slot: a credential method's failed attempts counted, and refused past their limit. */
export function failedSignIns(attempts: CredentialAttempts): EdgeInterceptor {
  return {
    step: "credential attempts",
    around: (call, next) => attempts.around(call.exposed, call.message, call.edge.clientAddress, next),
  };
}

/** The contracts' public methods, each with its `tenant_id` field when it has one. */
function publicMethods(methods: readonly ExposedMethod[]): Map<string, string | undefined> {
  const named = (method: ExposedMethod) =>
    method.method.input.fields.some(
      (field) => field.name === TENANT_FIELD && field.fieldKind === "scalar" && field.scalar === ScalarType.STRING,
    );
  return new Map(methods.filter((m) => m.public).map((m) => [m.path, named(m) ? TENANT_FIELD : undefined]));
}

function keyPart(value: string): string {
  if (value.length <= LONGEST_KEY_PART) return value;
  return `sha256:${createHash("sha256").update(value).digest("hex")}`;
}
