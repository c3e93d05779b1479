import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { repoRoot } from "../repo-root.js";

/**
 * Key ids of development keys start with this: a process with
 * NODE_ENV=production refuses such a key, wherever its file was copied to.
 */
export const DEVELOPMENT_KID_PREFIX = "development-";

export function isDevelopmentKey(kid: string): boolean {
  return kid.startsWith(DEVELOPMENT_KID_PREFIX);
}

/** The files of one key pair: the private JWK (owner-readable only) and a JWKS holding its public half. */
export interface KeyPairFiles {
  signingKeyFile: string;
  jwksFile: string;
  /** The public key as it appears in the JWKS, for building a JWKS of several keys. */
  publicJwk: JWK;
}

/** Generates an Ed25519 key pair with key id `kid` and writes it into `dir`. */
export async function writeKeyPair(dir: string, kid: string): Promise<KeyPairFiles> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: "EdDSA", use: "sig" };
  // Only the key folder is private: a mode given to a recursive mkdir would
  // also close the folders it creates above (.data, where PostgreSQL runs as another user).
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o700);
  const signingKeyFile = path.join(dir, "signing-key.jwk.json");
  const jwksFile = path.join(dir, "jwks.json");
  await writeFile(jwksFile, `${JSON.stringify({ keys: [publicJwk] }, null, 2)}\n`);
  // The private key last, readable by the user only: its presence means the pair is complete.
  const partial = `${signingKeyFile}.${randomUUID()}`;
  await writeFile(partial, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600 });
  await rename(partial, signingKeyFile);
  return { signingKeyFile, jwksFile, publicJwk };
}

/** Where `npm start` keeps the laptop's key pair. */
export const DEVELOPMENT_KEY_DIR = path.join(repoRoot, ".data", "keys");

/** The development key pair under .data/keys/, created on first use. */
export async function ensureDevelopmentKeys(): Promise<Omit<KeyPairFiles, "publicJwk">> {
  const signingKeyFile = path.join(DEVELOPMENT_KEY_DIR, "signing-key.jwk.json");
  const jwksFile = path.join(DEVELOPMENT_KEY_DIR, "jwks.json");
  if (existsSync(signingKeyFile) && existsSync(jwksFile)) return { signingKeyFile, jwksFile };
  return writeKeyPair(DEVELOPMENT_KEY_DIR, `${DEVELOPMENT_KID_PREFIX}${randomUUID()}`);
}
