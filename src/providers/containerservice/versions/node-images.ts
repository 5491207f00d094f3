/**
 * AKS node image versions: the real ones, then projected.
 *
 * Source: shared/aks-data/node-image-versions.md (file names of Azure/AKS `vhd-notes/` @ 8d1c8909, 2026-08-07), plus
 * image names seen in real API answers (aks-recordings/, real-samples/): `AKSUbuntu-2204gen2containerd-202311.07.0`,
 * `AKSUbuntu-2204gen2arm64containerd-202506.16.0`, `AKSUbuntu-1804gen2containerd-2022.10.03`,
 * `AKSAzureLinux-V2gen2-202407.22.0`, `AKSWindows-2022-containerd-20348.1787.230614`,
 * `AKSWindows-2019-containerd-17763.3534.221019`; fact sheet §3.1 for `AKSAzureLinux-V3gen2-202602.13.5`.
 *
 * Linux images ship weekly (fact sheet §3.1): before the first real version of a line and after its last one,
 * versions are projected every 7 days on the same weekday as the nearest real one. Versions dated before 2023-03-06
 * use the old `YYYY.MM.DD` suffix, later ones `YYYYMM.DD.PATCH`. Windows images ship monthly: projected on the 15th,
 * with the OS build growing by the average monthly step of the real list.
 */
import { DAY_MS } from "./calendar.js";

export type ImageLine = "ubuntu1804" | "ubuntu1804fips" | "ubuntu2004fips" | "ubuntu2204" | "ubuntu2404" | "mariner1" | "azurelinux2" | "azurelinux3" | "windows2019" | "windows2022" | "windows2025"; // prettier-ignore

/** Real Linux vhd-notes versions (suffixes), oldest first. */
const UBUNTU_2204 = [
  "202501.22.0", "202501.28.0", "202502.09.0", "202502.26.0", "202503.02.0", "202503.13.0", "202504.06.0",
  "202504.27.0", "202505.14.0", "202505.27.0", "202506.03.0", "202506.12.0", "202506.16.0", "202507.02.0",
  "202507.06.0", "202507.15.0", "202507.21.0", "202508.06.0", "202508.20.0", "202509.11.0", "202510.03.0",
  "202512.06.0", "202512.18.0", "202601.07.0", "202601.13.0", "202601.27.0", "202603.04.0", "202603.12.0",
  "202603.18.0", "202603.18.1", "202603.30.0", "202604.13.0", "202604.24.0", "202605.05.1", "202605.14.0",
  "202605.27.0", "202606.08.1", "202606.19.0", "202607.02.0", "202607.09.0",
]; // prettier-ignore
/** Ubuntu 24.04 and Azure Linux 3 share the 22.04 train from 2025-07-15 on (only 25 listed each). */
const UBUNTU_2404 = UBUNTU_2204.slice(UBUNTU_2204.indexOf("202507.15.0"));
const AZURELINUX_3 = UBUNTU_2404.map((v) => (v === "202509.11.0" ? "202509.18.0" : v));
const AZURELINUX_2 = [
  "202506.16.0", "202507.02.0", "202507.06.0", "202507.15.0", "202507.21.0", "202508.06.0", "202508.20.0",
  "202509.11.0", "202510.03.0", "202512.06.0",
]; // prettier-ignore

/** Real Windows versions `<build>.<YYMMDD>`, oldest first (the source lists them sorted as text). */
const WINDOWS_2022 = [
  "20348.707.220511", "20348.707.220525", "20348.768.220615", "20348.768.220624", "20348.825.220713",
  "20348.859.220722", "20348.887.220810", "20348.4529.251212", "20348.4648.260120", "20348.4773.260210",
  "20348.4893.260311", "20348.5020.260415", "20348.5139.260513", "20348.5256.260610", "20348.5386.260715",
]; // prettier-ignore
const WINDOWS_2025 = [
  "26100.4946.250823", "26100.6584.250910", "26100.7462.251212", "26100.32230.260120", "26100.32370.260210",
  "26100.32522.260311", "26100.32690.260415", "26100.32860.260513", "26100.32995.260610", "26100.33158.260715",
]; // prettier-ignore
const WINDOWS_2019 = ["17763.3534.221019"];

interface LineSpec {
  prefix: (arch: "amd64" | "arm64") => string;
  /**
   * The image SKU of the line's Trusted Launch images (pools with Secure Boot or vTPM), when the line has them: x64
   * Ubuntu only (`AKSUbuntu-2204gen2TLcontainerd-202410.09.0`, recordings test_aks_create_update_secure_boot_flow and
   * test_aks_create_update_vtpm_flow, 2024-10-16).
   */
  trustedLaunchPrefix?: string;
  /** Real versions, oldest first. */
  real: readonly string[];
  /** First day the line exists (projection backwards stops here). */
  since: string;
  /**
   * From this day on the real list is the complete release history (vhd-notes); before it the entries are sparse
   * observations, and gaps between them are filled with projected releases (weekly Linux, monthly Windows).
   */
  completeFrom: string;
  /** Last day a version is published (retired lines stop). */
  until?: string;
  /** Days the line's releases reach pools after their build date (FIPS images trail the plain train by about a week). */
  lagDays?: number;
  windows?: boolean;
}

const LINES: Record<ImageLine, LineSpec> = {
  ubuntu1804: {
    prefix: (a) => (a === "arm64" ? "AKSUbuntu-1804gen2arm64containerd" : "AKSUbuntu-1804gen2containerd"),
    real: ["2022.10.03", "2022.10.24", "2023.01.10"],
    since: "2020-01-01",
    completeFrom: "2099-01-01",
    until: "2023-06-30",
  },
  ubuntu2204: {
    prefix: (a) => (a === "arm64" ? "AKSUbuntu-2204gen2arm64containerd" : "AKSUbuntu-2204gen2containerd"),
    trustedLaunchPrefix: "AKSUbuntu-2204gen2TLcontainerd",
    real: ["2022.10.03", "2022.10.24", "202306.01.0", "202306.19.0", "202306.26.0", "202308.01.0", "202308.22.0", "202311.07.0", "202311.22.0", "202401.09.0", "202404.09.0", "202406.19.0", "202407.22.0", "202407.29.0", "202408.12.0", "202408.27.0", "202410.09.0", "202410.27.0", "202411.03.0", ...UBUNTU_2204], // prettier-ignore
    since: "2022-10-03",
    completeFrom: "2025-01-22",
  },
  ubuntu2404: {
    prefix: (a) => (a === "arm64" ? "AKSUbuntu-2404gen2arm64containerd" : "AKSUbuntu-2404gen2containerd"),
    trustedLaunchPrefix: "AKSUbuntu-2404gen2TLcontainerd",
    real: ["202501.22.0", ...UBUNTU_2404],
    since: "2025-01-22",
    completeFrom: "2025-07-15",
  },
  // FIPS images (pools with enableFIPS), real observations: 1804gen2fips 2022.10.06 on 2022-10-25 and 202306.19.0 on
  // 2023-06-29 (Kubernetes 1.23, 1.25), 2004gen2fips 202407.29.0 on 2024-08-08 (1.29). Complete lists between the
  // observations (no weekly filling), and a week's lag behind the build date.
  ubuntu1804fips: {
    prefix: (a) => (a === "arm64" ? "AKSUbuntu-1804gen2arm64fipscontainerd" : "AKSUbuntu-1804gen2fipscontainerd"),
    real: ["2022.10.06", "202306.19.0"],
    since: "2020-01-01",
    completeFrom: "2000-01-01",
    lagDays: 7,
  },
  ubuntu2004fips: {
    prefix: (a) => (a === "arm64" ? "AKSUbuntu-2004gen2arm64fipscontainerd" : "AKSUbuntu-2004gen2fipscontainerd"),
    real: ["202407.29.0"],
    since: "2023-01-01",
    completeFrom: "2000-01-01",
    lagDays: 7,
  },
  // CBL-Mariner before the Azure Linux images (one real observation: AKSCBLMariner-V1-2022.10.03 on 2022-10-25, while
  // Ubuntu had 2022.10.24); kept at it until the Azure Linux 2.0 line starts (2023-05-24), see imageAt.
  mariner1: {
    prefix: (a) => (a === "arm64" ? "AKSCBLMariner-V1arm64" : "AKSCBLMariner-V1"),
    real: ["2022.10.03"],
    since: "2020-01-01",
    completeFrom: "2099-01-01",
    until: "2022-10-09",
  },
  azurelinux2: {
    prefix: (a) => (a === "arm64" ? "AKSAzureLinux-V2gen2arm64" : "AKSAzureLinux-V2gen2"),
    real: ["202407.22.0", ...AZURELINUX_2],
    since: "2023-05-24",
    completeFrom: "2025-06-16",
    until: "2025-12-06", // frozen at 202512.06.0 (AKS CHANGELOG 2026-01-04)
  },
  azurelinux3: {
    prefix: (a) => (a === "arm64" ? "AKSAzureLinux-V3gen2arm64" : "AKSAzureLinux-V3gen2"),
    real: ["202501.05.0", ...AZURELINUX_3],
    since: "2025-01-05",
    completeFrom: "2025-07-15",
  },
  windows2019: { prefix: () => "AKSWindows-2019-containerd", real: WINDOWS_2019, since: "2020-01-01", completeFrom: "2099-01-01", until: "2026-02-28", windows: true }, // prettier-ignore
  windows2022: { prefix: () => "AKSWindows-2022-containerd", real: WINDOWS_2022, since: "2022-05-11", completeFrom: "2025-12-12", windows: true }, // prettier-ignore
  windows2025: { prefix: () => "AKSWindows-2025-containerd", real: WINDOWS_2025, since: "2025-08-23", completeFrom: "2025-08-23", windows: true }, // prettier-ignore
};

const NEW_FORMAT_FROM = Date.UTC(2023, 2, 6);

function dayMs(text: string): number {
  const [y, m, d] = text.split("-").map(Number);
  return Date.UTC(y!, m! - 1, d!);
}

/** Release day (ms) of a Linux suffix (`202607.09.0` or `2022.10.03`) or a Windows one (`20348.5386.260715`). */
function suffixDay(suffix: string, windows: boolean): number | undefined {
  if (windows) {
    const m = /^\d+\.\d+\.(\d{2})(\d{2})(\d{2})$/.exec(suffix);
    return m === null ? undefined : Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  }
  let m = /^(\d{4})(\d{2})\.(\d{2})\.\d+$/.exec(suffix);
  if (m !== null) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  m = /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(suffix);
  return m === null ? undefined : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

function linuxSuffix(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const mm = String(d.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(d.getUTCDate()).padStart(2, "0");
  return ms < NEW_FORMAT_FROM ? `${y}.${mm}.${dd}` : `${y}${mm}.${dd}.0`;
}

function windowsSuffix(build: string, ms: number): string {
  const d = new Date(ms);
  const yy = String(d.getUTCFullYear() % 100).padStart(2, "0");
  const mm = String(d.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(d.getUTCDate()).padStart(2, "0");
  return `${build}.${yy}${mm}${dd}`;
}

/** Fills the gaps of a sparse part of a real list in place (see LineSpec.completeFrom). */
function fillGaps(real: { suffix: string; at: number }[], spec: LineSpec): void {
  const completeFrom = dayMs(spec.completeFrom);
  const filled: { suffix: string; at: number }[] = [];
  for (let i = 0; i < real.length; i++) {
    const cur = real[i]!;
    filled.push(cur);
    const next = real[i + 1];
    if (next === undefined || next.at > completeFrom) continue;
    if (spec.windows === true) {
      const [major, b0] = cur.suffix.split(".").map(Number) as [number, number];
      const b1 = Number(next.suffix.split(".")[1]);
      const start = new Date(cur.at);
      for (let k = 1; ; k++) {
        const t = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + k, 15);
        if (t >= next.at - 20 * DAY_MS) break;
        const build = Math.round(b0 + ((b1 - b0) * (t - cur.at)) / (next.at - cur.at));
        filled.push({ suffix: windowsSuffix(`${major}.${build}`, t), at: t });
      }
    } else {
      for (let t = cur.at + 7 * DAY_MS; t < next.at - 3 * DAY_MS; t += 7 * DAY_MS) {
        filled.push({ suffix: linuxSuffix(t), at: t });
      }
    }
  }
  real.splice(0, real.length, ...filled);
}

interface Built {
  spec: LineSpec;
  real: { suffix: string; at: number }[];
  firstAt: number;
  lastAt: number;
  /** Windows: build number and monthly step for projection. */
  build?: { major: number; lastMinor: number; firstMinor: number; stepPerMonth: number };
}

const built = new Map<ImageLine, Built>();

function build(line: ImageLine): Built {
  const got = built.get(line);
  if (got !== undefined) return got;
  const spec = LINES[line];
  const real = spec.real
    .map((suffix) => ({ suffix, at: suffixDay(suffix, spec.windows === true)! }))
    .sort((a, b) => a.at - b.at || a.suffix.localeCompare(b.suffix));
  fillGaps(real, spec);
  const b: Built = { spec, real, firstAt: real[0]!.at, lastAt: real[real.length - 1]!.at };
  if (spec.windows === true) {
    const parse = (s: string): [number, number] => s.split(".").map(Number) as [number, number];
    const [major, lastMinor] = parse(real[real.length - 1]!.suffix);
    // Step from the recent part of the list (builds restart in a new OS servicing line, e.g. 26100.7462 → 26100.32230).
    const recent = real.slice(-4);
    const months = Math.max(1, (recent[recent.length - 1]!.at - recent[0]!.at) / (30.44 * DAY_MS));
    const stepPerMonth = Math.max(1, Math.round((lastMinor - parse(recent[0]!.suffix)[1]) / months));
    b.build = { major, lastMinor, firstMinor: parse(real[0]!.suffix)[1], stepPerMonth };
  }
  built.set(line, b);
  return b;
}

/** The newest version suffix of a line released at or before `atMs` (or the line's first one if none yet). */
function suffixAt(line: ImageLine, atMs: number): string {
  const b = build(line);
  const cap = b.spec.until === undefined ? atMs : Math.min(atMs, dayMs(b.spec.until));
  if (cap >= b.firstAt && cap <= b.lastAt) {
    let best = b.real[0]!;
    for (const r of b.real) if (r.at <= cap) best = r;
    return best.suffix;
  }
  if (b.spec.windows === true) {
    const w = b.build!;
    if (cap < b.firstAt) return b.real[0]!.suffix;
    // monthly on the 15th after the last real one
    const last = new Date(b.lastAt);
    let y = last.getUTCFullYear();
    let m = last.getUTCMonth() + 1;
    let months = 0;
    let best = b.real[b.real.length - 1]!.suffix;
    for (;;) {
      const t = Date.UTC(y, m, 15);
      if (t > cap) break;
      months++;
      best = windowsSuffix(`${w.major}.${w.lastMinor + months * w.stepPerMonth}`, t);
      m++;
      if (m > 11) {
        m = 0;
        y++;
      }
    }
    return best;
  }
  const week = 7 * DAY_MS;
  if (cap < b.firstAt) {
    const since = dayMs(b.spec.since);
    const floorAt = Math.max(cap, since);
    const k = Math.ceil((b.firstAt - floorAt) / week);
    const t = b.firstAt - k * week;
    return linuxSuffix(t < since ? t + week : t);
  }
  const k = Math.floor((cap - b.lastAt) / week);
  return linuxSuffix(b.lastAt + k * week);
}

/**
 * The full image name of the newest image of a line at `atMs`. `trustedLaunch` picks the line's Trusted Launch image
 * SKU where it has one (x64 Ubuntu 22.04/24.04); other lines keep their usual image.
 */
export function imageAt(
  line: ImageLine,
  arch: "amd64" | "arm64",
  atMs: number,
  opts: { trustedLaunch?: boolean; edgeZone?: boolean } = {},
): string {
  // Before the Azure Linux 2.0 images existed, Mariner/Azure Linux pools ran the CBL-Mariner images.
  const used = line === "azurelinux2" && atMs < dayMs(LINES.azurelinux2.since) ? "mariner1" : line;
  const spec = LINES[used];
  const lag = (spec.lagDays ?? 0) * DAY_MS;
  const tl = opts.trustedLaunch === true && arch === "amd64" ? spec.trustedLaunchPrefix : undefined;
  const prefix = tl ?? spec.prefix(arch);
  const suffix = suffixAt(used, atMs - lag);
  return opts.edgeZone === true ? edgeZoneImage(prefix, suffix, atMs) : `${prefix}-${suffix}`;
}

/**
 * The first edge-zone image in AKS's own gallery: Azure/AgentBaker#2555 (merged 2023-01) sets
 * `EdgeZoneSIGImageVersion` "2023.01.09" for the gallery that Azure/AgentBaker#2398 (2022-11-02) added for edge zones.
 */
const EDGE_ZONE_GALLERY_FROM = Date.parse("2023-01-09T00:00:00Z");

/**
 * An Ubuntu node image in an Azure Edge Zone. A node image version names the gallery, the image definition and the
 * version (`AKSUbuntu-1804gen2containerd-2022.06.13`: gallery `AKSUbuntu`, definition `1804gen2containerd`). Edge zones
 * had no copy of that gallery at first: their nodes booted the Azure Marketplace image, which has no gallery
 * definition, so the middle part is empty (real answer, test_aks_create_edge_zone, 2022-06-01:
 * `AKSUbuntu--2022.04.27`). Since the edge zones' own gallery `AKSUbuntuEdgeZone` exists, with the same definitions
 * (Azure/AgentBaker#2977: `2204containerd`, `2204gen2containerd`), it is named. The version is the build the regions
 * get (the real marketplace image of 2022-06-01 was five weeks older; the replay compares image families only).
 */
function edgeZoneImage(prefix: string, suffix: string, atMs: number): string {
  const dash = prefix.indexOf("-");
  if (!prefix.startsWith("AKSUbuntu-") || dash < 0) return `${prefix}-${suffix}`;
  const definition = prefix.slice(dash + 1);
  return atMs < EDGE_ZONE_GALLERY_FROM ? `AKSUbuntu--${suffix}` : `AKSUbuntuEdgeZone-${definition}-${suffix}`;
}

/** Whether a node image name is a Trusted Launch image (`AKSUbuntu-2204gen2TLcontainerd-…`). */
export function isTrustedLaunchImage(version: string): boolean {
  return /gen2TL/.test(version);
}

/** When an image version (full name, e.g. `AKSUbuntu-2204gen2containerd-202607.09.0`) was released; undefined if unknown format. */
export function nodeImageReleasedAt(version: string): Date | undefined {
  const windows = version.startsWith("AKSWindows-");
  const suffix = version.slice(version.lastIndexOf("-") + 1);
  const at = suffixDay(suffix, windows);
  return at === undefined ? undefined : new Date(at);
}

/**
 * The image line an OS SKU maps to for a Kubernetes minor (AKS docs "upgrade-os-version" and the Azure Linux support
 * cycle, and the 2022-08-14 release notes):
 * - `Ubuntu`/unspecified follows the Kubernetes version: 18.04 below 1.25, 22.04 for 1.25–1.34, 24.04 from 1.35;
 *   `Ubuntu2204`/`Ubuntu2404` pin the release;
 * - `AzureLinux` follows it too: Azure Linux 2.0 up to 1.31 (its last AKS version; the line is frozen at 202512.06.0),
 *   Azure Linux 3.0 from 1.32 ("customers move to Azure Linux 3.0 when upgrading from 1.31 to 1.32");
 *   `AzureLinux3` pins 3.0; `CBLMariner`/`Mariner` is 2.0;
 * - Windows unspecified: Windows Server 2019 below 1.25, 2022 from 1.25; `Windows2022`/`Windows2025` pin it.
 * - `enableFIPS` Ubuntu pools: the FIPS images (18.04 below 1.27, 20.04 from 1.27).
 * Without a Kubernetes minor, the current default's rules apply (22.04/24.04, Azure Linux 3, Windows 2022).
 */
export function imageLineFor(
  osType: "Linux" | "Windows",
  osSku: string | undefined,
  kubernetesMinor: number | undefined,
  opts: { fips?: boolean } = {},
): ImageLine {
  const sku = (osSku ?? "").toLowerCase();
  // FIPS Ubuntu pools: 18.04 FIPS images below 1.27, 20.04 FIPS from 1.27 (fits the recordings: 1.25 on 18.04 FIPS in
  // 2023-06, 1.29 on 20.04 FIPS in 2024-08).
  if (opts.fips === true && osType === "Linux" && (sku === "" || sku === "ubuntu"))
    return kubernetesMinor !== undefined && kubernetesMinor < 27 ? "ubuntu1804fips" : "ubuntu2004fips";
  if (osType === "Windows" || sku.startsWith("windows")) {
    if (sku === "windows2019") return "windows2019";
    if (sku === "windows2025") return "windows2025";
    if (sku === "windows2022") return "windows2022";
    return kubernetesMinor !== undefined && kubernetesMinor < 25 ? "windows2019" : "windows2022";
  }
  if (sku === "ubuntu2204") return "ubuntu2204";
  if (sku === "ubuntu2404") return "ubuntu2404";
  if (sku === "cblmariner" || sku === "mariner") return "azurelinux2";
  if (sku === "azurelinux3") return "azurelinux3";
  if (sku.startsWith("azurelinux"))
    return kubernetesMinor !== undefined && kubernetesMinor <= 31 ? "azurelinux2" : "azurelinux3";
  if (kubernetesMinor !== undefined && kubernetesMinor < 25) return "ubuntu1804";
  if (kubernetesMinor !== undefined && kubernetesMinor >= 35) return "ubuntu2404";
  return "ubuntu2204";
}
