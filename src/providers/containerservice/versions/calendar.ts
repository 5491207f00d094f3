/**
 * The AKS Kubernetes release calendar as data, and its projection past the last published row.
 *
 * Sources (facts only, see shared/aks-data/):
 * - `kubernetes-release-calendar.md`: the AKS calendar and LTS calendar of "Supported Kubernetes versions in AKS"
 *   (MicrosoftDocs/azure-aks-docs `articles/aks/supported-kubernetes-versions.md` @ f988e7e8, 2026-08-05) plus the
 *   historical rows of earlier commits of the same page.
 * - `aks-policy-facts.md` §2: 12-month community support, N-3 platform support "until 1.x GA", LTS = community year +
 *   one LTS year (about 24 months from GA), a minor about every 4 months upstream.
 *
 * Reading rules (the page's own): a month means the whole month, so an end of life "Mar 2026" ends with March 31st;
 * an explicit day ("Aug 22, 2025") ends with that day; "Until 1.36 GA" ends when 1.36 reaches GA. Start months
 * (AKS preview, AKS GA) carry no day; aksemu places them on the 15th of the month (the real release notes put GA days
 * all over the month: 1.35 on 2026-03-05, 1.36 on 2026-06-19).
 *
 * Every `…End` instant in this module is exclusive: the first instant at which the support is gone
 * (e.g. "Mar 2026" → 2026-04-01T00:00:00Z).
 */

/** One row, as the calendar states it. Months are `YYYY-MM`; explicit end days are `YYYY-MM-DD`. */
export interface CalendarRow {
  minor: string;
  upstream: string;
  preview: string;
  ga: string;
  /** Community end of life: a month, a day, or `until:<minor>` (until that minor's GA). */
  eol: string;
  /** Platform (N-3) support: `until:<minor>`; absent for rows that predate platform support (before 1.24). */
  platform?: string;
  /** LTS end of life (month), for minors in the LTS table. */
  lts?: string;
  /** When LTS became available for the minor (month or day) if not at its AKS GA. */
  ltsFrom?: string;
  /**
   * Day from which the minor counts as the newest GA minor N for the default (N-1) rule, when AKS switched the
   * default later than the GA start (the rollout of a new minor to every region lags its GA).
   */
  defaultFrom?: string;
}

/**
 * Rows of the calendar, oldest first. 1.14–1.28 come from the historical rows, 1.29–1.31 from their last listing,
 * 1.32–1.37 from the current tables; LTS ends from the current and historical LTS tables.
 *
 * Corrections (the source is kept verbatim in shared/, these are the readings used here):
 * - 1.16 and 1.17 list AKS preview "Jan 2019", months before their upstream release (Sep/Dec 2019); read as Jan 2020.
 * - 1.14/1.15 dates like "Apr 19" / "Sept 19" are 2019. Pre-1.24 rows have no platform-support column.
 * - 1.27's old row says "Jul 2024, LTS until Jul 2025"; the LTS table says the same.
 * - [CONFLICT] 1.32's calendar EOL is Mar 2026 while release notes (2026-03-05) say April 30, 2026; the calendar wins.
 *
 * Corrections from the real az CLI <-> AKS recordings (shared/aks-recordings/; the calendar's months are coarse):
 * - The default for a new cluster (N-1) switched later than N's GA month for some minors: on 2022-08-10 AKS still
 *   defaulted to 1.22 (1.24 GA Jul 2022), 1.23 by 2022-08-30; 1.25 until 2023-08-02 (1.27 GA Jul 2023), 1.26 by
 *   2023-08-15; 1.28 on 2024-07-22 in westus2 (1.30 GA Jul 2024) but 1.29 on 2024-07-26 in eastus. `defaultFrom`
 *   places the switch between those observations.
 * - 1.31 was still preview (and 1.29 the default) on 2024-11-20/21: its GA is placed on 2024-11-25.
 * - 1.25 was not offered on 2022-10-25 and in preview on 2022-11-25: its preview is placed on 2022-10-31.
 * - LTS is offered from a minor's GA (1.31 in preview listed only KubernetesOfficial on 2024-11-20), except 1.27, the
 *   first LTS minor, listed with AKSLongTermSupport while in preview (2023-06-29).
 * - 1.28 and 1.29 were listed without `AKSLongTermSupport` through 2024-11-20 (their LTS came with the LTS table of
 *   2025); `ltsFrom` 2025-01 (before their community end, so no gap in support).
 */
export const CALENDAR: readonly CalendarRow[] = [
  { minor: "1.14", upstream: "2019-03", preview: "2019-04", ga: "2019-08", eol: "until:1.17" },
  { minor: "1.15", upstream: "2019-06", preview: "2019-09", ga: "2019-12", eol: "until:1.18" },
  { minor: "1.16", upstream: "2019-09", preview: "2020-01", ga: "2020-03", eol: "2021-01" },
  { minor: "1.17", upstream: "2019-12", preview: "2020-01", ga: "2020-07", eol: "until:1.20" },
  { minor: "1.18", upstream: "2020-03", preview: "2020-05", ga: "2020-08", eol: "until:1.21" },
  { minor: "1.19", upstream: "2020-08", preview: "2020-09", ga: "2020-11", eol: "until:1.22" },
  { minor: "1.20", upstream: "2020-12", preview: "2021-01", ga: "2021-03", eol: "until:1.23" },
  { minor: "1.21", upstream: "2021-04", preview: "2021-05", ga: "2021-07", eol: "until:1.24" },
  { minor: "1.22", upstream: "2021-08", preview: "2021-09", ga: "2021-12", eol: "2022-12" },
  { minor: "1.23", upstream: "2021-12", preview: "2022-01", ga: "2022-04", eol: "2023-04" },
  { minor: "1.24", upstream: "2022-04", preview: "2022-05", ga: "2022-07", eol: "2023-07", platform: "until:1.28", defaultFrom: "2022-08-20" },
  { minor: "1.25", upstream: "2022-08", preview: "2022-10-31", ga: "2022-12", eol: "2024-01-14", platform: "until:1.29" },
  { minor: "1.26", upstream: "2022-12", preview: "2023-02", ga: "2023-04", eol: "2024-03", platform: "until:1.30" },
  { minor: "1.27", upstream: "2023-04", preview: "2023-06", ga: "2023-07", eol: "2024-07", platform: "until:1.31", lts: "2025-07", ltsFrom: "2023-06", defaultFrom: "2023-08-09" },
  { minor: "1.28", upstream: "2023-08", preview: "2023-09", ga: "2023-11", eol: "2025-01", platform: "until:1.32", lts: "2026-02", ltsFrom: "2025-01" },
  { minor: "1.29", upstream: "2023-12", preview: "2024-02", ga: "2024-03", eol: "2025-03", platform: "until:1.33", lts: "2026-04", ltsFrom: "2025-01" },
  { minor: "1.30", upstream: "2024-04", preview: "2024-06", ga: "2024-07", eol: "2025-08-22", platform: "until:1.34", lts: "2026-07", defaultFrom: "2024-07-24" },
  { minor: "1.31", upstream: "2024-08", preview: "2024-10", ga: "2024-11-25", eol: "2025-11-01", platform: "until:1.35", lts: "2026-11" },
  { minor: "1.32", upstream: "2024-12", preview: "2025-02", ga: "2025-04", eol: "2026-03", platform: "until:1.36", lts: "2027-03" },
  { minor: "1.33", upstream: "2025-04", preview: "2025-05", ga: "2025-06", eol: "2026-07", platform: "until:1.37", lts: "2027-07" },
  { minor: "1.34", upstream: "2025-08", preview: "2025-10", ga: "2025-11", eol: "2026-11", platform: "until:1.38", lts: "2027-11" },
  { minor: "1.35", upstream: "2025-12", preview: "2026-02", ga: "2026-03", eol: "2027-03", platform: "until:1.39", lts: "2028-03" },
  { minor: "1.36", upstream: "2026-04", preview: "2026-05", ga: "2026-06", eol: "2027-06", platform: "until:1.40", lts: "2028-06" },
  { minor: "1.37", upstream: "2026-08", preview: "2026-09", ga: "2026-10", eol: "2027-10", platform: "until:1.41", lts: "2028-10" },
]; // prettier-ignore

/** The last minor number the calendar publishes; later minors are projected. */
export const LAST_CALENDAR_MINOR = 37;

/** Day of the month on which a start month (AKS preview, AKS GA) is placed. */
export const START_DAY = 15;

/** A minor's lifecycle as instants (UTC). */
export interface MinorLifecycle {
  minor: string;
  /** Minor number (the `y` in `1.y`). */
  n: number;
  upstreamAt: Date;
  previewAt: Date;
  gaAt: Date;
  /** Exclusive end of community support. */
  communityEndAt: Date;
  /** Exclusive end of N-3 platform support (equals communityEndAt for minors that predate it). */
  platformEndAt: Date;
  /** Exclusive end of LTS; equals communityEndAt when the minor has no LTS. */
  ltsEndAt: Date;
  hasLts: boolean;
  /** From when LTS is offered for the minor (its GA unless the row says otherwise). */
  ltsFromAt: Date;
  /** From when the minor counts as N for the default (N-1) rule: its GA unless the row says later. */
  defaultFromAt: Date;
  /** True when the row comes from the projection, not the published calendar. */
  projected: boolean;
}

const DAY_MS = 86_400_000;

function monthStart(year: number, monthIndex: number, day = 1): Date {
  return new Date(Date.UTC(year, monthIndex, day));
}

function parseMonth(text: string): { year: number; monthIndex: number } {
  const [y, m] = text.split("-").map(Number);
  return { year: y!, monthIndex: m! - 1 };
}

/** Start of a start month: the START_DAY of it; an explicit day (`YYYY-MM-DD`) is that day. */
function startOf(month: string): Date {
  const parts = month.split("-").map(Number);
  if (parts.length === 3) return monthStart(parts[0]!, parts[1]! - 1, parts[2]!);
  const { year, monthIndex } = parseMonth(month);
  return monthStart(year, monthIndex, START_DAY);
}

/** Exclusive end of an end month or end day. */
function endOf(text: string): Date {
  const parts = text.split("-").map(Number);
  if (parts.length === 3) return new Date(Date.UTC(parts[0]!, parts[1]! - 1, parts[2]!) + DAY_MS);
  return monthStart(parts[0]!, parts[1]!); // month index + 1 - 1 → first day of the next month
}

function minorNumber(minor: string): number {
  return Number(minor.split(".")[1]);
}

/**
 * Projection of a minor past the calendar (minor > 1.37), on the calendar's own cadence: upstream every 4 months
 * (Apr, Aug, Dec as since 1.24), AKS preview one month later (two for December releases, as for 1.32 and 1.35), GA one
 * month after preview, community EOL at the end of the 12th month after the GA month, LTS EOL at the end of the 24th,
 * platform support until minor+4 reaches GA.
 */
function projectedRow(n: number): CalendarRow {
  const k = n - LAST_CALENDAR_MINOR;
  const base = parseMonth("2026-08"); // 1.37's upstream month
  const up = base.monthIndex + 4 * k;
  const ym = (monthIndex: number): string => {
    const y = base.year + Math.floor(monthIndex / 12);
    const m = (((monthIndex % 12) + 12) % 12) + 1;
    return `${y}-${String(m).padStart(2, "0")}`;
  };
  const upMonth = (((up % 12) + 12) % 12) + 1;
  const preview = up + (upMonth === 12 ? 2 : 1);
  const ga = preview + 1;
  return {
    minor: `1.${n}`,
    upstream: ym(up),
    preview: ym(preview),
    ga: ym(ga),
    eol: ym(ga + 12),
    platform: `until:1.${n + 4}`,
    lts: ym(ga + 24),
  };
}

const FIRST_MINOR = minorNumber(CALENDAR[0]!.minor);
const rowCache = new Map<number, MinorLifecycle>();

function rowOf(n: number): CalendarRow | undefined {
  if (n < FIRST_MINOR) return undefined;
  if (n <= LAST_CALENDAR_MINOR) return CALENDAR[n - FIRST_MINOR];
  return projectedRow(n);
}

function gaOf(n: number): Date {
  return startOf(rowOf(n)!.ga);
}

function resolveEnd(text: string): Date {
  return text.startsWith("until:") ? gaOf(minorNumber(text.slice("until:".length))) : endOf(text);
}

/** The lifecycle of minor `1.n`; undefined before 1.14 (older minors are out of scope). */
export function lifecycleOf(n: number): MinorLifecycle | undefined {
  const cached = rowCache.get(n);
  if (cached !== undefined) return cached;
  const row = rowOf(n);
  if (row === undefined) return undefined;
  const communityEndAt = resolveEnd(row.eol);
  const platformEnd = row.platform === undefined ? communityEndAt : resolveEnd(row.platform);
  const life: MinorLifecycle = {
    minor: row.minor,
    n,
    upstreamAt: startOf(row.upstream),
    previewAt: startOf(row.preview),
    gaAt: startOf(row.ga),
    communityEndAt,
    platformEndAt: platformEnd < communityEndAt ? communityEndAt : platformEnd,
    ltsEndAt: row.lts === undefined ? communityEndAt : endOf(row.lts),
    hasLts: row.lts !== undefined,
    ltsFromAt: row.ltsFrom === undefined ? startOf(row.ga) : startOf(row.ltsFrom),
    defaultFromAt: row.defaultFrom === undefined ? startOf(row.ga) : startOf(row.defaultFrom),
    projected: n > LAST_CALENDAR_MINOR,
  };
  rowCache.set(n, life);
  return life;
}

/**
 * Minor numbers that matter at `at`: from the first calendar minor up to the newest one whose preview has started
 * (plus one, so "Unreleased" can be asked about).
 */
export function minorNumbersUpTo(at: Date): number[] {
  const out: number[] = [];
  for (let n = FIRST_MINOR; ; n++) {
    const life = lifecycleOf(n)!;
    out.push(n);
    if (life.previewAt > at) break;
  }
  return out;
}

export { FIRST_MINOR, DAY_MS, minorNumber };
