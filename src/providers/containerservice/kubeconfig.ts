/**
 * Cluster credentials and the kubeconfig files AKS hands out (`listClusterUserCredential`,
 * `listClusterAdminCredential`, `listClusterMonitoringUserCredential`).
 *
 * Each cluster gets its own random seed at creation, from which its CA, client certificates, keys and tokens are
 * derived; `rotateClusterCertificates` draws a new seed, so kubeconfigs fetched before a rotation stop matching. The
 * material is pseudo-random, PEM-framed data (no Kubernetes API server exists to check it), in the YAML layout
 * `kubectl` reads. Keeping only the seed keeps the stored cluster small, so reading a cluster stays cheap.
 */
import { createHash, randomBytes } from "node:crypto";
import type { ClusterCredentials } from "./model.js";

/** Deterministic pseudo-random bytes for one purpose of one credential seed (SHA-512 in counter mode). */
function derive(seed: string, purpose: string, bytes: number): Buffer {
  const chunks: Buffer[] = [];
  for (let i = 0; chunks.length * 64 < bytes; i++) {
    chunks.push(createHash("sha512").update(`${seed}:${purpose}:${i}`).digest());
  }
  return Buffer.concat(chunks).subarray(0, bytes);
}

function pem(seed: string, purpose: string, label: string, bytes: number): string {
  const body = derive(seed, purpose, bytes)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd();
  return Buffer.from(`-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`, "utf8").toString("base64");
}

export function newCredentials(generation: number, at: string): ClusterCredentials {
  return { generation, seed: randomBytes(32).toString("hex"), rotatedAt: at };
}

/** The material a credential seed stands for. */
interface Material {
  caData: string;
  userToken: string;
  adminToken: string;
  userCertData: string;
  userKeyData: string;
  adminCertData: string;
  adminKeyData: string;
  monitoringToken: string;
}

function materialOf(credentials: ClusterCredentials): Material {
  const seed = credentials.seed;
  const token = (purpose: string): string => derive(seed, purpose, 32).toString("hex");
  return {
    caData: pem(seed, "ca", "CERTIFICATE", 1100),
    userToken: token("user-token"),
    adminToken: token("admin-token"),
    userCertData: pem(seed, "user-cert", "CERTIFICATE", 1300),
    userKeyData: pem(seed, "user-key", "RSA PRIVATE KEY", 1190),
    adminCertData: pem(seed, "admin-cert", "CERTIFICATE", 1300),
    adminKeyData: pem(seed, "admin-key", "RSA PRIVATE KEY", 1190),
    monitoringToken: token("monitoring-token"),
  };
}

export type CredentialKind = "user" | "admin" | "monitoring";

/** Microsoft Entra ID settings of an AAD-integrated cluster: its user kubeconfig authenticates through kubelogin. */
export interface EntraLogin {
  tenantId: string;
  /** `exec` (kubelogin, the default) or `azure` (the legacy auth-provider), from the request's `format`. */
  format: "exec" | "azure";
}

/** The AKS AAD server application id and the Azure CLI's client id, as AKS writes them into kubeconfigs. */
const AKS_AAD_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";
const AKS_AAD_CLIENT_ID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

function entraUserBlock(login: EntraLogin): string[] {
  if (login.format === "azure") {
    return [
      "    auth-provider:",
      "      config:",
      `        apiserver-id: ${AKS_AAD_SERVER_ID}`,
      `        client-id: ${AKS_AAD_CLIENT_ID}`,
      "        config-mode: '1'",
      "        environment: AzurePublicCloud",
      `        tenant-id: ${login.tenantId}`,
      "      name: azure",
    ];
  }
  return [
    "    exec:",
    "      apiVersion: client.authentication.k8s.io/v1beta1",
    "      args:",
    "      - get-token",
    "      - --environment",
    "      - AzurePublicCloud",
    "      - --server-id",
    `      - ${AKS_AAD_SERVER_ID}`,
    "      - --client-id",
    `      - ${AKS_AAD_CLIENT_ID}`,
    "      - --tenant-id",
    `      - ${login.tenantId}`,
    "      - --login",
    "      - devicecode",
    "      command: kubelogin",
    "      env: null",
    "      provideClusterInfo: false",
  ];
}

/** Quotes a YAML scalar when needed (cluster names may hold `_`; values are plain otherwise). */
function q(value: string): string {
  return /^[A-Za-z0-9._/:-]+$/.test(value) && !/^[0-9.]+$/.test(value) ? value : JSON.stringify(value);
}

/** The kubeconfig YAML for one credential kind, as AKS lays it out. */
export function kubeconfigYaml(
  kind: CredentialKind,
  clusterName: string,
  resourceGroup: string,
  fqdn: string,
  credentials: ClusterCredentials,
  entra?: EntraLogin,
): string {
  const server = `https://${fqdn}:443`;
  const material = materialOf(credentials);
  const user =
    kind === "admin"
      ? `clusterAdmin_${resourceGroup}_${clusterName}`
      : kind === "monitoring"
        ? `clusterMonitoringUser_${resourceGroup}_${clusterName}`
        : `clusterUser_${resourceGroup}_${clusterName}`;
  const context = kind === "admin" ? `${clusterName}-admin` : clusterName;
  const userBlock =
    kind === "user" && entra !== undefined
      ? entraUserBlock(entra)
      : kind === "admin"
        ? [
            `    client-certificate-data: ${material.adminCertData}`,
            `    client-key-data: ${material.adminKeyData}`,
            `    token: ${material.adminToken}`,
          ]
        : kind === "monitoring"
          ? [`    token: ${material.monitoringToken}`]
          : [
              `    client-certificate-data: ${material.userCertData}`,
              `    client-key-data: ${material.userKeyData}`,
              `    token: ${material.userToken}`,
            ];
  return [
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    `    certificate-authority-data: ${material.caData}`,
    `    server: ${server}`,
    `  name: ${q(clusterName)}`,
    "contexts:",
    "- context:",
    `    cluster: ${q(clusterName)}`,
    `    user: ${q(user)}`,
    `  name: ${q(context)}`,
    `current-context: ${q(context)}`,
    "kind: Config",
    "preferences: {}",
    "users:",
    `- name: ${q(user)}`,
    "  user:",
    ...userBlock,
    "",
  ].join("\n");
}

export function credentialResults(
  kind: CredentialKind,
  clusterName: string,
  resourceGroup: string,
  fqdn: string,
  credentials: ClusterCredentials,
  entra?: EntraLogin,
): { kubeconfigs: { name: string; value: string }[] } {
  const name = kind === "admin" ? "clusterAdmin" : kind === "monitoring" ? "clusterMonitoringUser" : "clusterUser";
  const yaml = kubeconfigYaml(kind, clusterName, resourceGroup, fqdn, credentials, entra);
  return { kubeconfigs: [{ name, value: Buffer.from(yaml, "utf8").toString("base64") }] };
}
