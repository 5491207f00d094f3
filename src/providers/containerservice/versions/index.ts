/**
 * The Kubernetes version catalog and node image catalog of aksemu, as seen at an instant.
 *
 * Everything here is a pure function of the date passed in (no wall clock, no state): which minors exist and how they
 * are supported (calendar.ts), which patches are offered (patches.ts), which node image is newest (node-images.ts).
 * The rules (aks-policy-facts.md §2):
 * - community support from AKS GA to the calendar's end of life (12 months); platform support (N-3) after it, until
 *   the minor four above reaches GA; LTS (Premium tier + `AKSLongTermSupport`) until the LTS end of life;
 * - at community end of life a minor with LTS becomes available only under LTS (new clusters and upgrades need
 *   `AKSLongTermSupport`); at LTS end of life it is removed; a minor without LTS is removed when platform support ends;
 * - platform-support minors cannot host new clusters but can host new node pools (the support matrix);
 * - the default for a new cluster is the latest patch of minor N-1 (N = newest GA minor); `"1.33"` means the latest
 *   offered patch of 1.33;
 * - upgrades: newer patches of the same minor, plus the next available minor (no skipping); LTS clusters may skip to
 *   any later minor that is available under LTS; a cluster on a minor that is out of support goes to the oldest
 *   available minor above it;
 * - node pools: never newer than the control plane, at most 3 minors behind it from control plane 1.28 on (2 before).
 *
 * Node image choice per OS SKU: see `imageLineFor` in node-images.ts (Ubuntu 22.04 up to 1.34 and 24.04 from 1.35;
 * Azure Linux 2.0 up to 1.31 and 3.0 from 1.32; Windows Server 2022 by default from 1.25, 2025 when asked).
 */
import { isCanaryRegion } from "../../../arm/locations.js";
import { DAY_MS, lifecycleOf, minorNumber, minorNumbersUpTo, type MinorLifecycle } from "./calendar.js";
import { imageAt, imageLineFor } from "./node-images.js";
import { latestPatchAt, offeredPatches, patchReleases, patchWithdrawnAt } from "./patches.js";

export { isTrustedLaunchImage, nodeImageReleasedAt } from "./node-images.js";
export { CALENDAR, lifecycleOf, type MinorLifecycle } from "./calendar.js";

export type SupportPlan = "KubernetesOfficial" | "AKSLongTermSupport";
export type MinorSupport = "Unreleased" | "Preview" | "Community" | "Platform" | "LtsOnly" | "Removed";

export interface MinorVersion {
  /** `"1.33"` */
  minor: string;
  support: MinorSupport;
  previewAt: Date;
  gaAt: Date;
  /** Exclusive end instants: the first instant at which that support is gone. */
  communityEndAt: Date;
  ltsEndAt: Date;
  platformEndAt: Date;
  /** Whether the minor can be run under `AKSLongTermSupport` at all. */
  hasLts: boolean;
  /** Patches offered now, ascending (`["1.33.12", "1.33.13"]`). */
  patches: string[];
  isDefault: boolean;
}

/**
 * Pool settings that pick a different image family: `fips` = the pool's `enableFIPS`; `trustedLaunch` = the pool runs
 * Trusted Launch VMs (Secure Boot or vTPM), which boot the `…gen2TL…` images; `edgeZone` = the cluster is in an Azure
 * Edge Zone (`extendedLocation`), whose Ubuntu nodes boot the edge zones' own images (see node-images.ts `imageAt`).
 */
export interface NodeImageOptions {
  fips?: boolean;
  trustedLaunch?: boolean;
  edgeZone?: boolean;
}

export type SupportStatus = "Supported" | "PlatformSupport" | "LtsSupported" | "OutOfSupport";

export type ResolveResult = { version: string } | { code: string; message: string };

export interface VersionCatalog {
  readonly at: Date;
  /** Every minor that is not Unreleased/Removed, ascending. */
  minors(): MinorVersion[];
  /** `"1.33"` or `"1.33.5"`; any minor of the calendar (or projection), whatever its support. */
  minor(versionOrMinor: string): MinorVersion | undefined;
  /** N-1 minor's latest patch (e.g. `"1.35.6"`). */
  defaultVersion(): string;
  /** Resolve a requested version (`""`, `"1.33"`, `"1.33.5"`) for a new cluster or pool: the patch, or an AKS error. */
  resolve(
    requested: string | undefined,
    opts: { lts: boolean; forPool?: boolean; controlPlane?: string },
  ): ResolveResult;
  /** Platform-support minors: no; LTS-only: only with lts; the exact patch must be offered (or `version` a minor alias). */
  canCreateCluster(version: string, lts: boolean): boolean;
  /** Preview/community/platform-support minors; LTS-only ones with lts. */
  canCreatePool(version: string, lts: boolean): boolean;
  /** Allowed upgrade targets from `version`, ascending. */
  upgradesFrom(version: string, lts: boolean): string[];
  /** Support of a cluster on `version` (minor-level): since when, and until when if it will end. */
  supportOf(version: string, lts: boolean): { status: SupportStatus; since: Date; until?: Date };
  /** When the patch `version` stopped being offered (the 30-day patch rule counts from here), if it has. */
  patchWithdrawnAt(version: string): Date | undefined;
  /** Whether `version` is an exact patch offered now (under LTS-only narrowing when the minor is LTS-only). */
  isOffered(version: string): boolean;
  /**
   * Newest node image at this instant, e.g. `AKSUbuntu-2204gen2containerd-202607.09.0`.
   * `osSKUVersionHint` is either the pool's Kubernetes version (`"1.35.6"`, `"1.35"`: picks the Ubuntu release AKS
   * uses for it) or an explicit Ubuntu release (`"2204"`, `"24.04"`).
   */
  latestNodeImage(osType: "Linux" | "Windows", osSku: string | undefined, arch?: "amd64" | "arm64", osSKUVersionHint?: string, opts?: NodeImageOptions): string; // prettier-ignore
}

interface ParsedVersion {
  minor: number;
  patch?: number;
}

/** Parses `1.33`, `1.33.5` (and tolerates a leading `v`); undefined for anything else. */
export function parseVersion(text: string): ParsedVersion | undefined {
  const m = /^v?1\.(\d{1,3})(?:\.(\d{1,4}))?$/.exec(text.trim());
  if (m === null) return undefined;
  return m[2] === undefined ? { minor: Number(m[1]) } : { minor: Number(m[1]), patch: Number(m[2]) };
}

/** Compares two `1.y[.z]` strings numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether the minor is offered under LTS at `at` (it has LTS, and LTS had begun for it). */
function ltsAt(life: MinorLifecycle, at: number): boolean {
  return life.hasLts && at >= life.ltsFromAt.getTime();
}

function supportAt(life: MinorLifecycle, at: number): MinorSupport {
  if (at < life.previewAt.getTime()) return "Unreleased";
  if (at < life.gaAt.getTime()) return "Preview";
  if (at < life.communityEndAt.getTime()) return "Community";
  if (ltsAt(life, at) && at < life.ltsEndAt.getTime()) return "LtsOnly";
  if (at < life.platformEndAt.getTime()) return "Platform";
  return "Removed";
}

const SUPPORT_URL = "https://aka.ms/supported-version-list";

interface DayData {
  byMinor: Map<number, MinorVersion>;
  listed: MinorVersion[];
  defaultPatch: string;
}

function computeDay(dayMs: number): DayData {
  const byMinor = new Map<number, MinorVersion>();
  for (const n of minorNumbersUpTo(new Date(dayMs))) {
    const life = lifecycleOf(n)!;
    const support = supportAt(life, dayMs);
    const patches =
      support === "Unreleased" || support === "Removed"
        ? []
        : offeredPatches(n, dayMs, support === "LtsOnly").map((p) => `1.${n}.${p}`);
    byMinor.set(n, {
      minor: life.minor,
      support,
      previewAt: life.previewAt,
      gaAt: life.gaAt,
      communityEndAt: life.communityEndAt,
      ltsEndAt: life.ltsEndAt,
      platformEndAt: life.platformEndAt,
      hasLts: ltsAt(life, dayMs),
      patches,
      isDefault: false,
    });
  }
  // N = the newest GA minor from its default switch on (defaultFromAt: GA, or later where AKS switched later).
  const ga = [...byMinor.values()].filter((m) => m.support === "Community");
  const counted = ga.filter((m) => lifecycleOf(minorNumber(m.minor))!.defaultFromAt.getTime() <= dayMs);
  const top = counted.length > 0 ? ga.indexOf(counted[counted.length - 1]!) : ga.length - 1;
  const pick = top >= 1 ? ga[top - 1]! : ga[top];
  if (pick !== undefined) pick.isDefault = true;
  const defaultPatch = pick === undefined ? "" : pick.patches[pick.patches.length - 1]!;
  const listed = [...byMinor.values()].filter((m) => m.support !== "Unreleased" && m.support !== "Removed");
  return { byMinor, listed, defaultPatch };
}

class Catalog implements VersionCatalog {
  private readonly atMs: number;
  private readonly byMinor: Map<number, MinorVersion>;
  private readonly listed: MinorVersion[];
  private readonly defaultPatch: string;

  constructor(
    readonly at: Date,
    day: DayData,
  ) {
    this.atMs = at.getTime();
    this.byMinor = day.byMinor;
    this.listed = day.listed;
    this.defaultPatch = day.defaultPatch;
  }

  minors(): MinorVersion[] {
    return this.listed.slice();
  }

  minor(versionOrMinor: string): MinorVersion | undefined {
    const v = parseVersion(versionOrMinor);
    if (v === undefined) return undefined;
    const hit = this.byMinor.get(v.minor);
    if (hit !== undefined) return hit;
    const life = lifecycleOf(v.minor);
    if (life === undefined) return undefined;
    return {
      minor: life.minor,
      support: supportAt(life, this.atMs),
      previewAt: life.previewAt,
      gaAt: life.gaAt,
      communityEndAt: life.communityEndAt,
      ltsEndAt: life.ltsEndAt,
      platformEndAt: life.platformEndAt,
      hasLts: ltsAt(life, this.atMs),
      patches: [],
      isDefault: false,
    };
  }

  defaultVersion(): string {
    return this.defaultPatch;
  }

  isOffered(version: string): boolean {
    const v = parseVersion(version);
    if (v === undefined || v.patch === undefined) return false;
    return this.minor(version)?.patches.includes(`1.${v.minor}.${v.patch}`) ?? false;
  }

  /** The exact patch a version or alias stands for now (alias → newest offered patch). */
  private patchFor(version: string): string | undefined {
    const v = parseVersion(version);
    const m = v === undefined ? undefined : this.byMinor.get(v.minor);
    if (v === undefined || m === undefined || m.patches.length === 0) return undefined;
    if (v.patch === undefined) return m.patches[m.patches.length - 1];
    const exact = `1.${v.minor}.${v.patch}`;
    return m.patches.includes(exact) ? exact : undefined;
  }

  private clusterMinorOk(m: MinorVersion, lts: boolean): boolean {
    if (lts && !m.hasLts) return false;
    if (m.support === "Preview" || m.support === "Community") return true;
    return m.support === "LtsOnly" && lts;
  }

  private poolMinorOk(m: MinorVersion, lts: boolean): boolean {
    if (m.support === "Preview" || m.support === "Community") return true;
    const inPlatform = this.atMs < m.platformEndAt.getTime();
    if (m.support === "LtsOnly") return lts || inPlatform;
    return m.support === "Platform";
  }

  canCreateCluster(version: string, lts: boolean): boolean {
    const m = this.minor(version);
    return m !== undefined && this.patchFor(version) !== undefined && this.clusterMinorOk(m, lts);
  }

  canCreatePool(version: string, lts: boolean): boolean {
    const m = this.minor(version);
    return m !== undefined && this.patchFor(version) !== undefined && this.poolMinorOk(m, lts);
  }

  resolve(
    requested: string | undefined,
    opts: { lts: boolean; forPool?: boolean; controlPlane?: string },
  ): ResolveResult {
    const forPool = opts.forPool === true;
    const text = (requested ?? "").trim();
    if (text === "") {
      if (forPool && opts.controlPlane !== undefined && opts.controlPlane !== "") return { version: opts.controlPlane };
      return { version: this.defaultPatch };
    }
    const notSupported = (): ResolveResult =>
      forPool
        ? {
            code: "AgentPoolK8sVersionNotSupported",
            message: `Version ${text} is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region. For more information, please check ${SUPPORT_URL}`,
          }
        : {
            code: "K8sVersionNotSupported",
            message: `Managed cluster version ${text} is not supported in this region${
              this.ltsHint(text, opts.lts) ? ` without the AKSLongTermSupport support plan (it is available only under long-term support: set sku.tier to Premium and supportPlan to AKSLongTermSupport)` : ""
            }. Please use the [az aks get-versions] command to get the supported version list in this region. For more information, see ${SUPPORT_URL}`,
          }; // prettier-ignore
    const v = parseVersion(text);
    if (v === undefined) return notSupported();
    const m = this.minor(text);
    // A pool may always be created at exactly its control plane's version while that minor is still poolable.
    const exactCp =
      forPool &&
      opts.controlPlane !== undefined &&
      v.patch !== undefined &&
      `1.${v.minor}.${v.patch}` === opts.controlPlane;
    // A pool asking for its control plane's minor by alias gets the control plane's patch (never newer than it).
    const cpSameMinor =
      forPool &&
      v.patch === undefined &&
      opts.controlPlane !== undefined &&
      parseVersion(opts.controlPlane)?.minor === v.minor;
    const patch = exactCp || cpSameMinor ? opts.controlPlane! : this.patchFor(text);
    if (m === undefined || patch === undefined) return notSupported();
    if (!(forPool ? this.poolMinorOk(m, opts.lts) : this.clusterMinorOk(m, opts.lts))) return notSupported();
    if (forPool && opts.controlPlane !== undefined && opts.controlPlane !== "") {
      const skew = this.skewError(patch, opts.controlPlane);
      if (skew !== undefined) return skew;
    }
    return { version: patch };
  }

  private ltsHint(text: string, lts: boolean): boolean {
    const m = this.minor(text);
    return !lts && m !== undefined && m.support === "LtsOnly";
  }

  private skewError(pool: string, controlPlane: string): ResolveResult | undefined {
    const p = parseVersion(pool);
    const c = parseVersion(controlPlane);
    if (p === undefined || c === undefined) return undefined;
    const base = `Node pool version ${pool} and control plane version ${controlPlane} are incompatible.`;
    if (p.minor > c.minor || (p.minor === c.minor && (p.patch ?? 0) > (c.patch ?? 0))) {
      return {
        code: "NodePoolMcVersionIncompatible",
        message: `${base} Minor version of node pool version ${p.minor} is bigger than control plane version ${c.minor}. Node pools cannot be newer than the control plane: upgrade the control plane first, or choose a version at or below ${controlPlane}.`,
      };
    }
    const maxSkew = c.minor >= 28 ? 3 : 2;
    if (c.minor - p.minor > maxSkew) {
      return {
        code: "NodePoolMcVersionIncompatible",
        message: `${base} Minor version of node pool cannot be more than ${maxSkew} versions less than control plane's version. Minor version of node pool is ${p.minor} and control plane is ${c.minor}. Choose a node pool version of 1.${c.minor - maxSkew} or later.`,
      };
    }
    return undefined;
  }

  upgradesFrom(version: string, lts: boolean): string[] {
    const v = parseVersion(version);
    if (v === undefined) return [];
    const current = v.patch === undefined ? this.patchFor(version) : `1.${v.minor}.${v.patch}`;
    if (current === undefined) return [];
    const out: string[] = [];
    const same = this.byMinor.get(v.minor);
    if (same !== undefined && this.clusterMinorOk(same, lts) === true) {
      for (const p of same.patches) if (compareVersions(p, current) > 0) out.push(p);
    } else if (same !== undefined) {
      // out of support for this plan: newer patches still count as a way forward only if the minor can be used
      for (const p of same.patches) if (compareVersions(p, current) > 0 && this.poolMinorOk(same, lts)) out.push(p);
    }
    const later = [...this.byMinor.values()]
      .filter((m) => minorNumber(m.minor) > v.minor && this.clusterMinorOk(m, lts))
      .sort((a, b) => minorNumber(a.minor) - minorNumber(b.minor));
    // Non-LTS: the next minor only (or the oldest available one above an unsupported minor). LTS: may also skip
    // to any later GA minor that is available under LTS.
    const targets = lts ? later.filter((m, i) => i === 0 || m.support !== "Preview") : later.slice(0, 1);
    for (const m of targets) out.push(...m.patches);
    return out.sort(compareVersions);
  }

  supportOf(version: string, lts: boolean): { status: SupportStatus; since: Date; until?: Date } {
    const v = parseVersion(version);
    const life = v === undefined ? undefined : lifecycleOf(v.minor);
    if (life === undefined) return { status: "OutOfSupport", since: new Date(0) };
    const at = this.atMs;
    if (at < life.communityEndAt.getTime()) {
      return {
        status: "Supported",
        since: at < life.gaAt.getTime() ? life.previewAt : life.gaAt,
        until: life.communityEndAt,
      };
    }
    if (lts && ltsAt(life, at) && at < life.ltsEndAt.getTime()) {
      return { status: "LtsSupported", since: life.communityEndAt, until: life.ltsEndAt };
    }
    if (at < life.platformEndAt.getTime()) {
      return { status: "PlatformSupport", since: life.communityEndAt, until: life.platformEndAt };
    }
    const since = lts && ltsAt(life, at) && life.ltsEndAt > life.platformEndAt ? life.ltsEndAt : life.platformEndAt;
    return { status: "OutOfSupport", since };
  }

  patchWithdrawnAt(version: string): Date | undefined {
    const v = parseVersion(version);
    if (v === undefined || v.patch === undefined) return undefined;
    const ms = patchWithdrawnAt(v.minor, v.patch, this.atMs);
    return ms === undefined ? undefined : new Date(ms);
  }

  latestNodeImage(
    osType: "Linux" | "Windows",
    osSku: string | undefined,
    arch: "amd64" | "arm64" = "amd64",
    osSKUVersionHint?: string,
    opts: NodeImageOptions = {},
  ): string {
    let sku = osSku;
    let k8sMinor: number | undefined = parseVersion(this.defaultPatch)?.minor;
    if (osSKUVersionHint !== undefined && osSKUVersionHint !== "") {
      const asK8s = parseVersion(osSKUVersionHint);
      if (asK8s !== undefined) k8sMinor = asK8s.minor;
      else {
        const rel = osSKUVersionHint.replace(".", "");
        if ((sku === undefined || /^ubuntu$/i.test(sku)) && (rel === "2204" || rel === "2404")) sku = `Ubuntu${rel}`;
      }
    }
    return imageAt(imageLineFor(osType, sku, k8sMinor, opts), arch, this.atMs, { trustedLaunch: opts.trustedLaunch === true, edgeZone: opts.edgeZone === true }); // prettier-ignore
  }
}

const cache = new Map<number, DayData>();
const CACHE_LIMIT = 512;

/**
 * How far ahead of the calendar AKS's canary regions run. Azure deploys each release to the canary (EUAP) regions
 * first and to the others over the following weeks (safe deployment). The recordings bound the lead: in eastus2euap
 * 1.31 was GA and 1.30 the default on 2024-11-12, while westus2 still listed 1.31 as preview and defaulted to 1.29 on
 * 2024-11-20/21 (the calendar places 1.31's GA on 2024-11-25, so at least 13 days). The canary recordings of 2022-2023
 * (blob CSI driver) match with the lead as without it.
 */
const CANARY_LEAD_MS = 14 * DAY_MS;

/**
 * The catalog at `at`, as AKS offers it in `location` (the region of the cluster or of the request; none: the
 * calendar's). What is offered changes at most once a day (all dates are whole UTC days), so the day's data is
 * computed once and shared (treat the returned `MinorVersion` objects as read-only). The support policy's dates are
 * the calendar's in every region: only what is offered runs ahead in the canary regions.
 */
export function versionCatalogAt(at: Date, location?: string): VersionCatalog {
  if (location !== undefined && isCanaryRegion(location)) at = new Date(at.getTime() + CANARY_LEAD_MS);
  const day = Math.floor(at.getTime() / DAY_MS) * DAY_MS;
  let data = cache.get(day);
  if (data === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    data = computeDay(day);
    cache.set(day, data);
  }
  return new Catalog(at, data);
}

/** Release instant of patch `1.y.z` (its first day of availability), if it exists in the synthesized history. */
export function patchReleasedAt(version: string): Date | undefined {
  const v = parseVersion(version);
  if (v === undefined || v.patch === undefined) return undefined;
  const rel = patchReleases(v.minor);
  return v.patch < rel.length ? new Date(rel[v.patch]!) : undefined;
}

/** Newest patch number of minor `1.n` released by `at` (-1 if none), regardless of what is offered. */
export function newestPatchAt(n: number, at: Date): number {
  return latestPatchAt(n, at.getTime());
}
