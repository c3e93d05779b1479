import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { SessionService } from "../../../generated/es/hr/session/v1/session_service_pb.js";
import { SignIn } from "./sign-in.js";
import { signedInCalls } from "./signed-in-calls.js";
import { memoryTokens, type TokenStore } from "./token-store.js";

export interface PlatformOptions {
  /** The gateway's address: "https://hr.example.com", or "/" when the page is served from the gateway's origin. */
  baseUrl: string;
  /** The tenant (company) the person signs in to. */
  tenantId: string;
  /** Where the sign-in's tokens are kept; in the page's memory by default (memoryTokens says why). */
  storage?: TokenStore;
  /** Told when the sign-in ended by itself (its refresh token refused: expired, revoked, its password changed). */
  onSignedOut?: () => void;
  /** A deadline for every call unless it sets its own (`timeoutMs`); the gateway shortens its own to it. */
  defaultTimeoutMs?: number;
}

/** The HR platform as a page calls it through the gateway. */
export interface Platform {
  /** Signs in with a login name and password (SessionService.Login); rejects with UNAUTHENTICATED, reason INVALID_CREDENTIALS. */
  signIn(credentials: { loginName: string; password: string }): Promise<void>;
  /** Forgets the tokens and ends the sign-in on the server (SessionService.Logout). */
  signOut(): Promise<void>;
  /** Whether tokens are held (they may still be refused: a call then tells). */
  readonly signedIn: boolean;
  /** A typed client of an application service, whose calls carry the sign-in and refresh it when it expired. */
  client<S extends DescService>(service: S): Client<S>;
}

/**
 * The platform's gateway over the Connect protocol with JSON, the format its
 * API reference documents and browsers' tools show readably.
 */
export function createPlatform(options: PlatformOptions): Platform {
  const transport = (interceptors: Interceptor[]) =>
    createConnectTransport({ baseUrl: options.baseUrl, defaultTimeoutMs: options.defaultTimeoutMs, interceptors });
  // Sign-in calls carry no token: the gateway refuses a public method's call whose token is not valid.
  const sessions = createClient(SessionService, transport([]));
  const signIn = new SignIn(sessions, options.tenantId, options.storage ?? memoryTokens(), options.onSignedOut);
  const withSignIn = transport([signedInCalls(signIn)]);
  return {
    signIn: ({ loginName, password }) => signIn.signIn(loginName, password),
    signOut: () => signIn.signOut(),
    get signedIn() {
      return signIn.accessToken() !== undefined;
    },
    client: (service) => createClient(service, withSignIn),
  };
}
