/**
 * A Connect-protocol server stream over plain HTTP, as a web client reads it
 * (`application/connect+json`): the request is one enveloped JSON message,
 * the answer a sequence of enveloped messages ended by an end-stream message
 * (flag 0x02) that carries the error, if any. No library: what is on the wire
 * is what is checked.
 */

/** One 5-byte envelope (flags, big-endian length) around a JSON message. */
export function envelope(message: unknown): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(message));
  const framed = new Uint8Array(5 + json.length);
  new DataView(framed.buffer).setUint32(1, json.length);
  framed.set(json, 5);
  return framed;
}

export type StreamEvent =
  | { kind: "message"; message: Record<string, unknown> }
  | { kind: "end"; error?: { code: string; message?: string } };

/** Opens the stream: resolves with the HTTP answer's status and a reader of its events. */
export async function openConnectStream(
  url: string,
  request: unknown,
  headers: Record<string, string>,
  signal?: AbortSignal,
) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/connect+json", "connect-protocol-version": "1", ...headers },
    body: envelope(request),
    signal,
  });
  const reader = response.body?.getReader();
  let buffered = new Uint8Array(0);
  const read = async (size: number): Promise<Uint8Array | undefined> => {
    while (buffered.length < size) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done) return undefined;
      const joined = new Uint8Array(buffered.length + chunk.value.length);
      joined.set(buffered);
      joined.set(chunk.value, buffered.length);
      buffered = joined;
    }
    const taken = buffered.slice(0, size);
    buffered = buffered.slice(size);
    return taken;
  };
  return {
    status: response.status,
    headers: response.headers,
    /** The next event; undefined when the body ends without an end-stream message. */
    async next(): Promise<StreamEvent | undefined> {
      const head = await read(5);
      if (head === undefined) return undefined;
      const flags = head[0] ?? 0;
      const length = new DataView(head.buffer, head.byteOffset).getUint32(1);
      const body = await read(length);
      const json = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
      if ((flags & 0x02) !== 0) return { kind: "end", error: json.error as { code: string } | undefined };
      return { kind: "message", message: json };
    },
  };
}
