/**
 * Patch history of each minor. The calendar gives minors only, so patches are synthesized deterministically:
 * `1.y.0` at the minor's AKS preview, then patches at a steady pace, bent so that the real data points below hold,
 * and after the last real point one patch every 4 weeks (fact sheet §2.1–2.2: patches "every few weeks", a "two month
 * minimum lifecycle"). New patches stop at the end of community support, or of LTS for minors that have it (LTS
 * backports security fixes).
 *
 * Which patches are offered at an instant (fact sheet §2.2–2.3): a patch stays offered until the next one has been out
 * for 60 days, and at most the 3 newest are offered (real `get-versions` answers show 2–3 per minor); a minor that is
 * available only under LTS offers its 2 newest ("LTS supports only the two most recent patch versions").
 *
 * Real data points (release dates are the day the patch is taken to have shipped, on or before the observation):
 * - release notes 2026-07-17: 1.36.2, 1.35.6, 1.34.9, 1.33.13 [aks-policy-facts §2.6];
 * - 1.27.7 as `currentKubernetesVersion` on 2023-12-08 and 1.32.5 as `currentOrchestratorVersion` on 2025-07-08
 *   (real-samples/);
 * - `az aks get-versions` recorded 2024-02-07 (aks-recordings/test_aks_get_version_table.yaml): 1.26.10, 1.27.7,
 *   1.28.3 newest;
 * - `orchestrators` recorded 2022-10-25 (aks-recordings/az-2.45.0): 1.22.15, 1.23.12, 1.24.6 newest.
 */
import { DAY_MS, lifecycleOf } from "./calendar.js";

/** Patch anchors per minor: `[patch, release day]`. The implicit first anchor is `[0, AKS preview day]`. */
export const PATCH_ANCHORS: Readonly<Record<string, readonly (readonly [number, string])[]>> = {
  "1.22": [[15, "2022-10-10"]],
  "1.23": [[12, "2022-10-10"]],
  "1.24": [[6, "2022-10-10"]],
  "1.26": [[10, "2024-01-20"]],
  "1.27": [
    [7, "2023-11-28"],
    [8, "2024-02-28"],
  ],
  "1.28": [[3, "2024-01-20"]],
  "1.32": [[5, "2025-06-24"]],
  "1.33": [[13, "2026-07-17"]],
  "1.34": [[9, "2026-07-17"]],
  "1.35": [[6, "2026-07-17"]],
  "1.36": [[2, "2026-07-17"]],
};

/** Days between patches when no anchor says otherwise. */
export const PATCH_INTERVAL_DAYS = 28;
/** A patch is withdrawn once its successor has been out this long. */
export const PATCH_OVERLAP_DAYS = 60;
export const MAX_OFFERED_PATCHES = 3;
export const MAX_OFFERED_PATCHES_LTS = 2;

function dayOf(text: string): number {
  const [y, m, d] = text.split("-").map(Number);
  return Date.UTC(y!, m! - 1, d!);
}

function floorDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

const releaseCache = new Map<number, number[]>();

/**
 * Release instants (ms, at 00:00 UTC) of every patch the minor `1.n` ever gets, index = patch number.
 * Finite: patches stop at the end of LTS (or of community support without LTS).
 */
export function patchReleases(n: number): readonly number[] {
  const cached = releaseCache.get(n);
  if (cached !== undefined) return cached;
  const life = lifecycleOf(n);
  if (life === undefined) return [];
  const anchors: [number, number][] = [[0, floorDay(life.previewAt.getTime())]];
  for (const [patch, day] of PATCH_ANCHORS[life.minor] ?? []) anchors.push([patch, dayOf(day)]);
  const out: number[] = [];
  for (let i = 0; i < anchors.length; i++) {
    const [p0, t0] = anchors[i]!;
    const next = anchors[i + 1];
    if (next === undefined) {
      out[p0] = t0;
      break;
    }
    const [p1, t1] = next;
    for (let p = p0; p < p1; p++) out[p] = floorDay(t0 + ((p - p0) * (t1 - t0)) / (p1 - p0));
  }
  const stopAt = (life.hasLts ? life.ltsEndAt : life.communityEndAt).getTime();
  let last = out[out.length - 1]!;
  for (;;) {
    const t = last + PATCH_INTERVAL_DAYS * DAY_MS;
    if (t >= stopAt) break;
    out.push(t);
    last = t;
  }
  releaseCache.set(n, out);
  return out;
}

/** Number of the newest patch released at or before `atMs`, or -1 if none yet. */
export function latestPatchAt(n: number, atMs: number): number {
  const rel = patchReleases(n);
  let lo = 0;
  let hi = rel.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rel[mid]! <= atMs) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Patch numbers offered at `atMs`, ascending. */
export function offeredPatches(n: number, atMs: number, ltsOnly: boolean): number[] {
  const rel = patchReleases(n);
  const latest = latestPatchAt(n, atMs);
  if (latest < 0) return [];
  const cap = ltsOnly ? MAX_OFFERED_PATCHES_LTS : MAX_OFFERED_PATCHES;
  const out: number[] = [latest];
  for (let p = latest - 1; p >= 0 && out.length < cap; p--) {
    if (atMs - rel[p + 1]! >= PATCH_OVERLAP_DAYS * DAY_MS) break;
    out.unshift(p);
  }
  return out;
}

/**
 * When patch `1.n.p` stopped being offered (its successor reached 60 days, or it fell out of the newest 3), or
 * undefined if it is still offered at `atMs` / never existed. LTS-only narrowing is not considered here.
 */
export function patchWithdrawnAt(n: number, p: number, atMs: number): number | undefined {
  const rel = patchReleases(n);
  if (p < 0 || p >= rel.length || rel[p]! > atMs) return undefined;
  const candidates: number[] = [];
  if (p + 1 < rel.length) candidates.push(rel[p + 1]! + PATCH_OVERLAP_DAYS * DAY_MS);
  if (p + MAX_OFFERED_PATCHES < rel.length) candidates.push(rel[p + MAX_OFFERED_PATCHES]!);
  if (candidates.length === 0) return undefined;
  const at = Math.min(...candidates);
  return at <= atMs ? at : undefined;
}
