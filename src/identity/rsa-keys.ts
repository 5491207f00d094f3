/**
 * RSA private keys for the CA, the server certificate and the token-signing key, generated on libuv's thread pool.
 * A first start needs three of them; `prewarmRsaKeys` starts them before the server's modules load, so that the
 * generation overlaps the loading instead of adding to the time before the ready line.
 */
import { generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";

const generate = promisify(generateKeyPair);
const warmed: Promise<KeyObject>[] = [];

function generateOne(): Promise<KeyObject> {
  return generate("rsa", { modulusLength: 2048 }).then((pair) => pair.privateKey);
}

/** Starts generating `count` keys now; `newRsaPrivateKey` hands them out first. */
export function prewarmRsaKeys(count: number): void {
  for (let i = 0; i < count; i++) {
    const key = generateOne();
    key.catch(() => undefined); // a failure surfaces when the key is taken, not as an unhandled rejection
    warmed.push(key);
  }
}

export function newRsaPrivateKey(): Promise<KeyObject> {
  return warmed.shift() ?? generateOne();
}
