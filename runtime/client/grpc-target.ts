// Where a client finds a service's replicas, as an operator writes it:
// - "127.0.0.1:50051": one address;
// - "127.0.0.1:50051,127.0.0.1:50151": every replica's address (IP literals:
//   grpc-js resolves a list only as `ipv4:` or `ipv6:`, not host names);
// - "dns:///people:50051": a name that resolves to every replica (a
//   Kubernetes headless Service), or any other gRPC target with a scheme.
// Calls are balanced round-robin over what the target resolves to (openChannel).

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/;
const IPV6 = /^\[[0-9a-f:.]+\]:\d{1,5}$/i;

/** The gRPC target for `addresses`; throws, saying why, for a list that is not of IP addresses of one family. */
export function grpcTarget(addresses: string): string {
  const trimmed = addresses.trim();
  if (!trimmed.includes(",") || trimmed.startsWith("ipv4:") || trimmed.startsWith("ipv6:")) return trimmed;
  const list = trimmed.split(",").map((address) => address.trim());
  if (list.every((address) => IPV4.test(address))) return `ipv4:${list.join(",")}`;
  if (list.every((address) => IPV6.test(address))) return `ipv6:${list.join(",")}`;
  throw new Error(
    `"${trimmed}": a list of replicas takes IP addresses of one family (127.0.0.1:50051,127.0.0.1:50151); for names, one name that resolves to every replica (dns:///people:50051)`,
  );
}
