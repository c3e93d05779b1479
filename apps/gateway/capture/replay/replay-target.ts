import { isIP } from "node:net";

/** A target the replay refuses to call, and why. */
export class UnsafeTarget extends Error {}

/**
 * The gateway URL a replay may call. A replay sends the captured requests
 * with a bearer token, and `--sign-in` sends a password: over plain
 * `http://` anyone on the path reads them, so plain HTTP is only for a
 * gateway on this machine (localhost, 127.0.0.0/8, ::1) unless the person
 * replaying says `--allow-insecure-http`. Anything but http(s) is refused.
 */
export function replayTarget(raw: string, allowInsecureHttp: boolean): URL {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new UnsafeTarget(`--target "${raw}" is not an http:// or https:// URL`);
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname) && !allowInsecureHttp) {
    throw new UnsafeTarget(
      `--target ${url.origin} is plain http:// to another machine: tokens and passwords would cross the network ` +
        "readable; use https://, or --allow-insecure-http if you mean it",
    );
  }
  return url;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}
