/**
 * ARM list paging: `{ "value": [...], "nextLink": "<absolute URL with $skipToken>" }`.
 * The skip token is opaque to clients; here it is the offset of the next page, base64url-encoded.
 */
import { armErrors } from "./errors.js";
import { ok, type ArmResponse } from "./handler.js";

export interface Page<T> {
  value: T[];
  nextLink?: string;
}

export function decodeSkipToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  const offset = Number(Buffer.from(token, "base64url").toString("utf8"));
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw armErrors.badRequest(`The $skipToken '${token}' is invalid. Use the nextLink of the previous page as is.`);
  }
  return offset;
}

/** Cuts `items` into the page that starts at the request's `$skipToken`. `requestUrl` is the absolute request URL. */
export function pageOf<T>(items: readonly T[], requestUrl: URL, pageSize: number): Page<T> {
  const offset = decodeSkipToken(requestUrl.searchParams.get("$skipToken") ?? undefined);
  const value = items.slice(offset, offset + pageSize);
  const page: Page<T> = { value };
  if (offset + pageSize < items.length) {
    const next = new URL(requestUrl.toString());
    next.searchParams.set("$skipToken", Buffer.from(String(offset + pageSize), "utf8").toString("base64url"));
    page.nextLink = next.toString();
  }
  return page;
}

/** The answer of a list operation: the page of `items` that the request's `$skipToken` asks for, with its nextLink. */
export function pagedList<T>(items: readonly T[], requestUrl: URL, pageSize: number): ArmResponse {
  return ok(pageOf(items, requestUrl, pageSize));
}

/** The answer of a list operation over stored resources: their wire bodies, paged as `pagedList` does. */
export function pagedBodies<B>(resources: readonly { body: B }[], requestUrl: URL, pageSize: number): ArmResponse {
  return pagedList(
    resources.map((r) => r.body),
    requestUrl,
    pageSize,
  );
}
