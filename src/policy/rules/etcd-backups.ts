/**
 * Rule 5: etcd is backed up every 30 minutes while the control plane runs; customers cannot read or restore the
 * backups.
 *
 * Policy, «Cobertura de soporte de AKS»: "Almacén de datos etcd. La compatibilidad incluye las copias de seguridad
 * automatizadas y transparentes de todos los datos de etcd cada 30 minutos [...] Ni usted ni nadie puede acceder
 * directamente a estas copias de seguridad." Fact sheet §1.1.
 *
 * No ARM API exposes them; the supportability view gives the instant of the last one. It is computed from the clock,
 * not stored: backups fall on a 30-minute grid counted from the instant the control plane (last) started, up to the
 * instant it stopped or was archived.
 */
import { MINUTE } from "../../clock/duration.js";
import type { PolicyRecord } from "../types.js";

export const ETCD_BACKUP_SECTION = "Cobertura de soporte de AKS";
export const ETCD_BACKUP_INTERVAL_MS = 30 * MINUTE;

/** The last etcd backup at `now`, or undefined when the control plane never ran. */
export function lastEtcdBackup(record: PolicyRecord, now: Date): Date | undefined {
  if (record.runningSince === undefined) return undefined;
  const start = Date.parse(record.runningSince);
  let end = now.getTime();
  if (record.power === "Stopped" && record.stoppedAt !== undefined) end = Math.min(end, Date.parse(record.stoppedAt));
  if (record.archivedAt !== undefined) end = Math.min(end, Date.parse(record.archivedAt));
  if (end < start) return new Date(start);
  return new Date(start + Math.floor((end - start) / ETCD_BACKUP_INTERVAL_MS) * ETCD_BACKUP_INTERVAL_MS);
}
