/** ETags and the conditional-request rules ARM applies with them (If-Match / If-None-Match → 412). */
import { randomUUID } from "node:crypto";
import { armErrors } from "./errors.js";

export function newEtag(): string {
  return `"${randomUUID()}"`;
}

function matches(header: string, etag: string | undefined): boolean {
  return header
    .split(",")
    .map((v) => v.trim())
    .some((v) => (v === "*" ? etag !== undefined : v === etag || `"${v}"` === etag || v === `W/${etag ?? ""}`));
}

/**
 * Checks If-Match / If-None-Match against the current ETag of the resource (undefined when it does not exist).
 * Throws ARM's 412 when the precondition fails.
 */
export function checkPreconditions(
  headers: { ifMatch?: string | undefined; ifNoneMatch?: string | undefined },
  currentEtag: string | undefined,
): void {
  if (headers.ifMatch !== undefined && headers.ifMatch !== "" && !matches(headers.ifMatch, currentEtag)) {
    throw armErrors.preconditionFailed(
      currentEtag === undefined
        ? "The condition specified in If-Match was not met: the resource does not exist."
        : `The condition specified in If-Match was not met: the resource's current ETag is ${currentEtag}. Read the resource again and retry with its ETag.`,
    );
  }
  if (headers.ifNoneMatch !== undefined && headers.ifNoneMatch !== "" && matches(headers.ifNoneMatch, currentEtag)) {
    throw armErrors.preconditionFailed(
      headers.ifNoneMatch.trim() === "*"
        ? "The condition specified in If-None-Match was not met: the resource already exists."
        : `The condition specified in If-None-Match was not met: the resource's ETag is ${currentEtag ?? ""}.`,
    );
  }
}
