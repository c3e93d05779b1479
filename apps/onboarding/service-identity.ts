import type { CallOptions } from "nice-grpc";
import { Metadata } from "nice-grpc";
import { v4 as uuidv4 } from "uuid";
import type { Caller } from "../../runtime/auth/caller.js";
import { issueCallerToken, type TokenSigner } from "../../runtime/auth/token-signer.js";
import { AUTHORIZATION_HEADER, REQUEST_ID_HEADER } from "../../runtime/client/call-headers.js";
import type { AuthConfig } from "../../runtime/config.js";

/** Who the onboarding app is when it calls data services: its own subject and the process managers' role. */
export const ONBOARDING_APP_SUBJECT = "onboarding-app";
export const WORKFLOW_ROLE = "workflow_service";
/** Tokens live a minute and are reused for half of it: one signature per tenant per 30 s, not per call. */
const TOKEN_SECONDS = 60;
const REUSE_MS = 30_000;

/**
 * The app's own short-lived tokens, in the tenant of the case or event at
 * hand: the worker and the event reactions act when no person is signed in,
 * so they call under the app's identity (like the session app's), never
 * under a person's token.
 */
export class ServiceIdentity {
  private readonly tokens = new Map<string, { token: Promise<string>; until: number }>();

  constructor(
    private readonly signer: TokenSigner,
    private readonly auth: Pick<AuthConfig, "issuer" | "audience">,
  ) {}

  /** Call options for a call in `tenantId`: the app's token and a request id of its own for the logs. */
  async callOptions(tenantId: string, signal?: AbortSignal): Promise<CallOptions> {
    const metadata = Metadata()
      .set(AUTHORIZATION_HEADER, `Bearer ${await this.token(tenantId)}`)
      .set(REQUEST_ID_HEADER, `onboarding-${uuidv4()}`);
    return signal ? { metadata, signal } : { metadata };
  }

  /** The app's token in `tenantId`, for `forwardCall` when a person's call is served under the app's identity. */
  token(tenantId: string): Promise<string> {
    const now = Date.now();
    const held = this.tokens.get(tenantId);
    if (held && held.until > now) return held.token;
    const app: Caller = { tenantId, userId: ONBOARDING_APP_SUBJECT, roles: [WORKFLOW_ROLE] };
    const token = issueCallerToken(app, this.signer, this.auth, TOKEN_SECONDS);
    // Bounded: expired entries go as soon as the map grows past a few hundred tenants.
    if (this.tokens.size > 500) for (const [id, t] of this.tokens) if (t.until <= now) this.tokens.delete(id);
    this.tokens.set(tenantId, { token, until: now + REUSE_MS });
    token.catch(() => this.tokens.delete(tenantId));
    return token;
  }
}
