/**
 * The key aksemu signs its tokens with: an RSA key kept in the data dir (so tokens stay valid across restarts),
 * published as a JWKS at the `jwks_uri` of the OpenID configuration.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const generateRsa = promisify(generateKeyPair);
let warmed: Promise<KeyObject> | undefined;

function newRsaPrivateKey(): Promise<KeyObject> {
  return generateRsa("rsa", { modulusLength: 2048 }).then((pair) => pair.privateKey);
}

/**
 * Starts generating the signing key on libuv's thread pool before the server's modules load, so that the 100–300 ms
 * an RSA key takes overlaps the loading instead of adding to a first start. Only worth it when the key file is missing.
 */
export function prewarmSigningKey(dir: string | undefined): void {
  if (dir !== undefined && existsSync(signingKeyPath(dir))) return;
  warmed = newRsaPrivateKey();
  warmed.catch(() => undefined); // a failure surfaces when the key is taken, not as an unhandled rejection
}

function signingKeyPath(dir: string): string {
  return join(dir, "token-signing-key.pem");
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
  jwk: Record<string, unknown>;
}

function fromPrivatePem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: "jwk" }) as Record<string, unknown>;
  const kid = createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("base64url")
    .slice(0, 27);
  return { privateKey, publicKey, kid, jwk: { ...jwk, kid, use: "sig", alg: "RS256", kty: "RSA" } };
}

/** Loads the signing key from `dir`, creating it on first start; with no `dir` the key lives in memory only. */
export async function loadOrCreateSigningKey(dir: string | undefined): Promise<SigningKey> {
  const path = dir === undefined ? undefined : signingKeyPath(dir);
  if (path !== undefined && existsSync(path)) return fromPrivatePem(readFileSync(path, "utf8"));
  const privateKey = await (warmed ?? newRsaPrivateKey());
  warmed = undefined;
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  if (path !== undefined) writeFileSync(path, pem, { mode: 0o600 });
  return fromPrivatePem(pem);
}
