/**
 * The api-version rules of ARM's front door.
 *
 * Each resource type declares the api-versions it serves (taken from the specs in shared/azure-specs and the versions
 * real clients send). A request without one is refused with `MissingApiVersionParameter`; a known one is served as is;
 * a well-formed date newer than the newest known is served with the newest shapes and a `Warning` header, because
 * clients move faster than emulators (unless the server runs with `--strict-api-version`); anything else is refused
 * with `InvalidApiVersionParameter`, listing what is supported, as ARM does.
 */
import { armErrors } from "./errors.js";

const API_VERSION_FORMAT = /^(\d{4})-(\d{2})-(\d{2})(-preview|-beta|-alpha|-privatepreview)?$/i;

export interface ApiVersionDecision {
  /** The version the client asked for. */
  requested: string;
  /** The known version whose shapes are served (equal to `requested` unless it was newer than any known). */
  served: string;
  /** Set when the version is not one we know; goes out as a `Warning` header. */
  warning?: string;
}

export class ApiVersionSet {
  /** Newest first. */
  readonly versions: readonly string[];
  private readonly lookup: Set<string>;

  constructor(
    readonly resourceType: string,
    versions: readonly string[],
  ) {
    this.versions = [...new Set(versions)].sort().reverse();
    this.lookup = new Set(this.versions.map((v) => v.toLowerCase()));
  }

  get newest(): string {
    return this.versions[0]!;
  }

  has(version: string): boolean {
    return this.lookup.has(version.toLowerCase());
  }

  /** Newest known stable version not after `version` (used to pick response shapes). */
  newestNotAfter(version: string): string | undefined {
    const date = version.slice(0, 10);
    return this.versions.find((v) => v.slice(0, 10) <= date);
  }

  decide(requested: string | undefined, strict: boolean): ApiVersionDecision {
    if (requested === undefined || requested === "") throw armErrors.missingApiVersion(this.versions);
    if (this.has(requested)) return { requested, served: requested };
    const match = API_VERSION_FORMAT.exec(requested);
    if (!strict && match !== null && requested.slice(0, 10) > this.newest.slice(0, 10) && isRealDate(match)) {
      return {
        requested,
        served: this.newest,
        warning: `299 aksemu "api-version ${requested} is newer than any aksemu knows for ${this.resourceType}; served with the shapes of ${this.newest}."`,
      };
    }
    throw armErrors.invalidApiVersion(requested, this.resourceType, this.versions);
  }
}

function isRealDate(match: RegExpExecArray): boolean {
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** Compares two api-versions by their date; previews sort just before the stable version of the same date. */
export function compareApiVersions(a: string, b: string): number {
  return a.localeCompare(b);
}
