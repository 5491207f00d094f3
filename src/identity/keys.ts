/**
 * The key aksemu signs its tokens with: an RSA key kept in the data dir (so tokens stay valid across restarts),
 * published as a JWKS at the `jwks_uri` of the OpenID configuration.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newRsaPrivateKey } from "./rsa-keys.js";

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
  const path = dir === undefined ? undefined : join(dir, "token-signing-key.pem");
  if (path !== undefined && existsSync(path)) return fromPrivatePem(readFileSync(path, "utf8"));
  const privateKey = await newRsaPrivateKey();
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  if (path !== undefined) writeFileSync(path, pem, { mode: 0o600 });
  return fromPrivatePem(pem);
}
