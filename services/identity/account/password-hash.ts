import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Slow salted password hashing with node's scrypt. I/O-free but CPU-bound
 * (tens of milliseconds on libuv's thread pool), so it stays out of the pure
 * domain, which only ever sees the resulting string:
 *
 *   scrypt$<N>$<r>$<p>$<salt, base64>$<key, base64>
 *
 * Self-describing, so the parameters can be raised later: a hash verifies
 * with the parameters it was made with. Passwords are NFKC-normalized first,
 * so the same password typed on another keyboard or OS still matches.
 */

interface Params {
  N: number;
  r: number;
  p: number;
}

const CURRENT: Params = { N: 16384, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 64;
const B64 = "[A-Za-z0-9+/]+={0,2}";
const STORED = new RegExp(`^scrypt\\$(\\d{1,7})\\$(\\d{1,2})\\$(\\d{1,2})\\$(${B64})\\$(${B64})$`);

function derive(secret: string, salt: Buffer, params: Params, keyBytes: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; node's default cap (32 MiB) would refuse raised parameters.
  const options = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize("NFKC"), salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, CURRENT, KEY_BYTES);
  const { N, r, p } = CURRENT;
  return ["scrypt", N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** Compares in constant time. A stored value that is no scrypt string is a bug (or tampering): it throws. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [, n = "", r = "", p = "", salt = "", key = ""] = STORED.exec(stored) ?? [];
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const expected = Buffer.from(key, "base64");
  if (!(params.N > 1 && params.r > 0 && params.p > 0 && expected.length >= 16)) {
    throw new Error("stored password hash is not a scrypt string");
  }
  const actual = await derive(password, Buffer.from(salt, "base64"), params, expected.length);
  return timingSafeEqual(actual, expected);
}

// A hash of a random secret made once per process with the current
// parameters, so a check against it costs exactly what a real one does.
const DUMMY_HASH = hashPassword(randomUUID());

/**
 * Does the work of a real check for a login name that does not exist, so the
 * answer takes as long as for a wrong password. Always false.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(password, await DUMMY_HASH);
  return false;
}

/**
 * A deterministic slow digest of the secrets of one request, for its
 * idempotency fingerprint. A plain SHA-256 over a request holding a password
 * would store a fast, unsalted hash of it, cheap to brute-force from a copy of
 * the database; this costs what a password hash costs, and is salted by
 * `scope` (tenant and request id) so equal passwords give unrelated digests.
 */
export async function digestSecrets(secrets: readonly string[], scope: string): Promise<string> {
  const salt = createHash("sha256").update(`idempotency\n${scope}`).digest().subarray(0, SALT_BYTES);
  return (await derive(JSON.stringify(secrets), salt, CURRENT, 32)).toString("base64");
}
