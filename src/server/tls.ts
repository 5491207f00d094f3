/**
 * TLS material: on first start aksemu creates a local certificate authority (`ca.pem`) and a server certificate for
 * 127.0.0.1 and localhost signed by it, both kept in the data dir and reused afterwards. Clients trust the CA through
 * NODE_EXTRA_CA_CERTS (Node) or REQUESTS_CA_BUNDLE (Python, the az CLI). `--cert`/`--key` take the user's own pair.
 *
 * Keys come from Node's native generator (fast); node-forge builds and signs the X.509 certificates.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import forge from "node-forge";
import { wallNow } from "../clock/wall.js";
import { newRsaPrivateKey } from "../identity/rsa-keys.js";

export interface TlsMaterial {
  key: string;
  cert: string;
  /** The CA certificate clients must trust (PEM), and where it is on disk (undefined in memory-only mode). */
  caPem: string;
  caPath: string | undefined;
}

/** RSA keys from Node's native generator, off the main thread (several are made at once on first start). */
async function newRsaKey(): Promise<forge.pki.rsa.PrivateKey> {
  const privateKey = await newRsaPrivateKey();
  return forge.pki.privateKeyFromPem(privateKey.export({ type: "pkcs1", format: "pem" }).toString());
}

function serial(): string {
  // Positive, 16 bytes: the top bit cleared so that the DER integer is not negative.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString("hex");
}

function publicKeyOf(key: forge.pki.rsa.PrivateKey): forge.pki.rsa.PublicKey {
  return forge.pki.setRsaPublicKey(key.n, key.e);
}

function createCa(key: forge.pki.rsa.PrivateKey): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKeyOf(key);
  cert.serialNumber = serial();
  const now = wallNow();
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600_000);
  cert.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600_000);
  const subject = [
    { name: "commonName", value: "aksemu local CA" },
    { name: "organizationName", value: "aksemu" },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { cert, key };
}

function createServerCert(
  ca: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey },
  hostnames: string[],
  key: forge.pki.rsa.PrivateKey,
): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKeyOf(key);
  cert.serialNumber = serial();
  const now = wallNow();
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600_000);
  // 825 days: the longest lifetime that Apple's and browsers' TLS policies accept for a server certificate.
  cert.validity.notAfter = new Date(now.getTime() + 825 * 24 * 3600_000);
  cert.setSubject([{ name: "commonName", value: "aksemu" }]);
  cert.setIssuer(ca.cert.subject.attributes);
  const altNames = hostnames.map((h) =>
    /^[\d.]+$/.test(h) || h.includes(":") ? { type: 7, ip: h } : { type: 2, value: h },
  );
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { cert, key };
}

/** Loads the CA and server certificate from `dir`, creating them on first start (or in memory when `dir` is undefined). */
export async function loadOrCreateTls(dir: string | undefined, host: string): Promise<TlsMaterial> {
  const hostnames = [...new Set(["127.0.0.1", "localhost", "::1", host])];
  const paths =
    dir === undefined
      ? undefined
      : {
          ca: join(dir, "ca.pem"),
          caKey: join(dir, "ca-key.pem"),
          cert: join(dir, "server.pem"),
          key: join(dir, "server-key.pem"),
        };
  if (paths !== undefined && [paths.ca, paths.caKey, paths.cert, paths.key].every((p) => existsSync(p))) {
    const cert = readFileSync(paths.cert, "utf8");
    const parsed = forge.pki.certificateFromPem(cert);
    const sans =
      (parsed.getExtension("subjectAltName") as { altNames?: { ip?: string; value?: string }[] } | null)?.altNames ??
      [];
    const covered = hostnames.every((h) => sans.some((s) => s.ip === h || s.value === h));
    if (covered && parsed.validity.notAfter.getTime() > wallNow().getTime()) {
      return { key: readFileSync(paths.key, "utf8"), cert, caPem: readFileSync(paths.ca, "utf8"), caPath: paths.ca };
    }
  }
  if (paths !== undefined && existsSync(paths.ca) && existsSync(paths.caKey)) {
    // A CA without a usable server certificate (a CA placed there beforehand, a new host, an expired certificate):
    // issue a new server certificate from the same CA, so that clients which trust it keep working.
    const ca = {
      cert: forge.pki.certificateFromPem(readFileSync(paths.ca, "utf8")),
      key: forge.pki.privateKeyFromPem(readFileSync(paths.caKey, "utf8")) as forge.pki.rsa.PrivateKey,
    };
    return writeServer(ca, hostnames, paths, await newRsaKey());
  }
  const [caKey, serverKey] = await Promise.all([newRsaKey(), newRsaKey()]);
  const ca = createCa(caKey);
  if (paths !== undefined) {
    writeFileSync(paths.ca, forge.pki.certificateToPem(ca.cert));
    writeFileSync(paths.caKey, forge.pki.privateKeyToPem(ca.key), { mode: 0o600 });
  }
  return writeServer(ca, hostnames, paths, serverKey);
}

function writeServer(
  ca: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey },
  hostnames: string[],
  paths: { ca: string; cert: string; key: string } | undefined,
  serverKey: forge.pki.rsa.PrivateKey,
): TlsMaterial {
  const server = createServerCert(ca, hostnames, serverKey);
  const material: TlsMaterial = {
    key: forge.pki.privateKeyToPem(server.key),
    cert: forge.pki.certificateToPem(server.cert),
    caPem: forge.pki.certificateToPem(ca.cert),
    caPath: paths?.ca,
  };
  if (paths !== undefined) {
    writeFileSync(paths.cert, material.cert);
    writeFileSync(paths.key, material.key, { mode: 0o600 });
  }
  return material;
}

/** The user's own certificate and key (`--cert`, `--key`). */
export function loadUserTls(certPath: string, keyPath: string): TlsMaterial {
  const cert = readFileSync(certPath, "utf8");
  return { key: readFileSync(keyPath, "utf8"), cert, caPem: cert, caPath: certPath };
}
