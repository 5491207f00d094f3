/**
 * TLS material: on first start aksemu creates a local certificate authority (`ca.pem`) and a server certificate for
 * 127.0.0.1 and localhost signed by it, both kept in the data dir and reused afterwards. Clients trust the CA through
 * NODE_EXTRA_CA_CERTS (Node) or REQUESTS_CA_BUNDLE (Python, the az CLI). `--cert`/`--key` take the user's own pair.
 *
 * Both keys are ECDSA P-256, made and used by Node's native crypto: an RSA key takes 100–300 ms of CPU to generate,
 * and on a two-core machine two of them starved the loading of the server's modules (a first start went past a
 * second). node-forge only encodes the X.509 structures (ASN.1/DER); Node reads certificates back (`X509Certificate`).
 */
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from "node:crypto";
import type { KeyObject } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import forge from "node-forge";
import { wallNow } from "../clock/wall.js";

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

export interface TlsMaterial {
  key: string;
  cert: string;
  /** The CA certificate clients must trust (PEM), and where it is on disk (undefined in memory-only mode). */
  caPem: string;
  caPath: string | undefined;
}

/** What a new certificate is signed by: the CA's name, key and key identifier. */
interface Issuer {
  name: Asn1;
  key: KeyObject;
  keyId: string;
}

const DAY_MS = 24 * 3600_000;
const OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2";
const OID_RSA_SHA256 = "1.2.840.113549.1.1.11";
const OID_SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
const OID_AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";

function newEcKey(): KeyObject {
  return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
}

function seq(items: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

function oid(value: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
}

function fromDer(der: Buffer): Asn1 {
  return asn1.fromDer(der.toString("binary"));
}

function toDer(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), "binary");
}

/** A Name of UTF8String attributes, e.g. [["2.5.4.3", "aksemu"]] for CN=aksemu. */
function name(attributes: [string, string][]): Asn1 {
  const utf8 = (value: string): Asn1 =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(value));
  return seq(
    attributes.map(([type, value]) =>
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [seq([oid(type), utf8(value)])]),
    ),
  );
}

/** The signature algorithm follows the issuer's key: ECDSA for aksemu's own CA, RSA for a CA the user put there. */
function signatureAlgorithm(key: KeyObject): Asn1 {
  if (key.asymmetricKeyType === "ec") return seq([oid(OID_ECDSA_SHA256)]);
  return seq([oid(OID_RSA_SHA256), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, "")]);
}

/** Key identifier: SHA-1 of the DER SubjectPublicKeyInfo (RFC 7093 §2, method 4's spirit: any stable hash). */
function keyIdOf(key: KeyObject): string {
  return createHash("sha1")
    .update(createPublicKey(key).export({ type: "spki", format: "der" }))
    .digest("binary");
}

interface ForgeExtensions {
  certificateExtensionToAsn1(extension: unknown): Asn1;
}

/** One extension: its id and its value's DER wrapped in an OCTET STRING. */
function extension(id: string, value: Asn1): Asn1 {
  return seq([oid(id), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(value).getBytes())]);
}

/**
 * The extensions block: forge encodes the described ones (it exports the encoder, though its type declarations omit
 * it); the key identifiers are encoded here, because forge would compute them from an RSA key of its own.
 */
function extensions(described: object[], keyIds: { subject: string; authority?: string }): Asn1 {
  const holder = forge.pki.createCertificate();
  holder.setExtensions(described);
  const encoded = (holder.extensions as unknown[]).map((e) =>
    (forge.pki as unknown as ForgeExtensions).certificateExtensionToAsn1(e),
  );
  encoded.push(
    extension(
      OID_SUBJECT_KEY_IDENTIFIER,
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, keyIds.subject),
    ),
  );
  if (keyIds.authority !== undefined) {
    const keyIdentifier = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, keyIds.authority);
    encoded.push(extension(OID_AUTHORITY_KEY_IDENTIFIER, seq([keyIdentifier])));
  }
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 3, true, [seq(encoded)]);
}

interface CertificateSpec {
  subject: Asn1;
  key: KeyObject;
  issuer: Issuer;
  days: number;
  extensions: object[];
  /** Whether to name the issuer's key identifier (not in a self-signed CA). */
  authorityKeyId: boolean;
}

function issue(spec: CertificateSpec): string {
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f; // positive: the top bit cleared so that the DER integer is not negative
  const now = wallNow().getTime();
  const algorithm = signatureAlgorithm(spec.issuer.key);
  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(2).getBytes()), // v3
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, serial.toString("binary")),
    algorithm,
    spec.issuer.name,
    seq([
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(new Date(now - DAY_MS))),
      asn1.create(
        asn1.Class.UNIVERSAL,
        asn1.Type.UTCTIME,
        false,
        asn1.dateToUtcTime(new Date(now + spec.days * DAY_MS)),
      ),
    ]),
    spec.subject,
    fromDer(createPublicKey(spec.key).export({ type: "spki", format: "der" })),
    extensions(spec.extensions, {
      subject: keyIdOf(spec.key),
      ...(spec.authorityKeyId ? { authority: spec.issuer.keyId } : {}),
    }),
  ]);
  const signature = sign("sha256", toDer(tbs), spec.issuer.key);
  const certificate = seq([
    tbs,
    signatureAlgorithm(spec.issuer.key),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, "\u0000" + signature.toString("binary")),
  ]);
  return forge.pem.encode({ type: "CERTIFICATE", body: toDer(certificate).toString("binary") });
}

function createCa(key: KeyObject): { pem: string; issuer: Issuer } {
  const issuer: Issuer = {
    name: name([
      ["2.5.4.3", "aksemu local CA"],
      ["2.5.4.10", "aksemu"],
    ]),
    key,
    keyId: keyIdOf(key),
  };
  const pem = issue({
    subject: issuer.name,
    key,
    issuer,
    days: 10 * 365,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
    authorityKeyId: false,
  });
  return { pem, issuer };
}

function createServerCert(ca: Issuer, hostnames: string[], key: KeyObject): string {
  const altNames = hostnames.map((h) =>
    /^[\d.]+$/.test(h) || h.includes(":") ? { type: 7, ip: h } : { type: 2, value: h },
  );
  return issue({
    subject: name([["2.5.4.3", "aksemu"]]),
    key,
    issuer: ca,
    // 825 days: the longest lifetime that Apple's and browsers' TLS policies accept for a server certificate.
    days: 825,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, critical: true }, // ECDSA signs the handshake; no key encipherment
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
    ],
    authorityKeyId: true,
  });
}

/**
 * A CA already in the data dir (made by an earlier aksemu, or placed there by the user): its subject and subject key
 * identifier, read from its DER, so that a new server certificate chains to it.
 */
function existingCa(caPem: string, caKeyPem: string): Issuer {
  const key = createPrivateKey(caKeyPem);
  const tbs = fromDer(new X509Certificate(caPem).raw).value[0] as Asn1;
  const fields = tbs.value as Asn1[];
  const offset = fields[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0; // v1 certificates have no version
  const subject = fields[offset + 4]!;
  const extensionList = fields.find((f) => f.tagClass === asn1.Class.CONTEXT_SPECIFIC && f.type === 3);
  const ski = ((extensionList?.value[0] as Asn1 | undefined)?.value as Asn1[] | undefined)?.find(
    (e) => asn1.derToOid((e.value as Asn1[])[0]!.value as string) === OID_SUBJECT_KEY_IDENTIFIER,
  );
  const skiValue = ski === undefined ? undefined : ((ski.value as Asn1[]).at(-1)!.value as string);
  return {
    name: subject,
    key,
    keyId: skiValue === undefined ? keyIdOf(key) : (asn1.fromDer(skiValue).value as string),
  };
}

function covers(certPem: string, hostnames: string[]): boolean {
  const cert = new X509Certificate(certPem);
  const sans = (cert.subjectAltName ?? "").split(", ");
  const names = new Set(sans.map((s) => s.replace(/^(IP Address|DNS):/, "")));
  const normalized = (h: string): string => (h === "::1" ? "0:0:0:0:0:0:0:1" : h);
  return hostnames.every((h) => names.has(h) || names.has(normalized(h))) && new Date(cert.validTo) > wallNow();
}

/** Loads the CA and server certificate from `dir`, creating them on first start (or in memory when `dir` is undefined). */
export function loadOrCreateTls(dir: string | undefined, host: string): TlsMaterial {
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
    if (covers(cert, hostnames)) {
      return { key: readFileSync(paths.key, "utf8"), cert, caPem: readFileSync(paths.ca, "utf8"), caPath: paths.ca };
    }
  }
  let ca: Issuer;
  let caPem: string;
  if (paths !== undefined && existsSync(paths.ca) && existsSync(paths.caKey)) {
    // A CA without a usable server certificate (a CA placed there beforehand, a new host, an expired certificate):
    // issue a new server certificate from the same CA, so that clients which trust it keep working.
    caPem = readFileSync(paths.ca, "utf8");
    ca = existingCa(caPem, readFileSync(paths.caKey, "utf8"));
  } else {
    const created = createCa(newEcKey());
    ({ pem: caPem, issuer: ca } = created);
    if (paths !== undefined) {
      writeFileSync(paths.ca, caPem);
      writeFileSync(paths.caKey, privateKeyPem(ca.key), { mode: 0o600 });
    }
  }
  const serverKey = newEcKey();
  const material: TlsMaterial = {
    key: privateKeyPem(serverKey),
    cert: createServerCert(ca, hostnames, serverKey),
    caPem,
    caPath: paths?.ca,
  };
  if (paths !== undefined) {
    writeFileSync(paths.cert, material.cert);
    writeFileSync(paths.key, material.key, { mode: 0o600 });
  }
  return material;
}

function privateKeyPem(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

/** The user's own certificate and key (`--cert`, `--key`). */
export function loadUserTls(certPath: string, keyPath: string): TlsMaterial {
  const cert = readFileSync(certPath, "utf8");
  return { key: readFileSync(keyPath, "utf8"), cert, caPem: cert, caPath: certPath };
}
