import type { IncomingMessage } from "node:http";
import { isIPv6 } from "node:net";

/**
 * The client's address, which the edge counts calls against before it reads
 * anything else of the request. The socket's remote address, unless
 * `trustedProxies` proxies (load balancers, ingress) stand in front of the
 * edge: then each of them appended the address it was called from to
 * `X-Forwarded-For`, and the client is the entry `trustedProxies` hops back
 * from the socket. Entries further left were written by whoever called the
 * first proxy and are never believed. With the default 0 the header is
 * ignored: any client can write it. This only holds if the edge cannot be
 * reached except through those proxies (a network policy's job).
 */
export function clientAddress(request: IncomingMessage, trustedProxies: number): string {
  const socket = plain(request.socket.remoteAddress ?? "unknown");
  if (trustedProxies === 0) return socket;
  const header = request.headers["x-forwarded-for"];
  const forwarded = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  // The hops as the last proxy saw them, the socket's address last.
  const hops = [...forwarded, socket];
  // Fewer hops than proxies (a call that skipped some): the leftmost one the trusted proxies wrote.
  return plain(hops[Math.max(0, hops.length - 1 - trustedProxies)] ?? socket);
}

/**
 * The key an address is counted under. An IPv6 client usually holds a whole
 * /64 (one customer's network): counted per address, it could take a fresh
 * one for every call. So IPv6 addresses are counted by their /64 prefix.
 */
export function addressKey(address: string): string {
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(":")}::/64`;
}

/** "::ffff:127.0.0.2" (an IPv4 client of a dual-stack socket) as "127.0.0.2". */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** The eight groups of an IPv6 address, "::" filled in ("fe80::1" → fe80,0,0,0,0,0,0,1). */
function expandIPv6(address: string): string[] {
  const [head = "", tail] = address.split("%")[0]?.split("::") ?? [];
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  const left = groups(head);
  const right = groups(tail);
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array(missing).fill("0"), ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ""));
}
