/**
 * Issuing and checking the access tokens ARM requests carry.
 *
 * Tokens are RS256 JWTs shaped like Entra ID's (aud, iss, tid, oid, appid, iat/nbf/exp). Their lifetimes follow the
 * wall clock, not the emulated one: clients refresh tokens by their own clock, and moving emulated time a year ahead
 * must not lock every client out.
 */
import { createHash } from "node:crypto";
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from "jose";
import { ArmError } from "../arm/errors.js";
import type { SigningKey } from "./keys.js";

/** The audiences ARM accepts: the public cloud's resource ids, plus this server's own URL (what SDKs derive). */
export const ARM_AUDIENCES = [
  "https://management.core.windows.net/",
  "https://management.core.windows.net",
  "https://management.azure.com/",
  "https://management.azure.com",
];

export const TOKEN_LIFETIME_SECONDS = 3599;

export interface Principal {
  tenantId: string;
  objectId: string;
  appId: string;
  claims: JWTPayload;
}

/** A stable object id for a client id, so the same client is the same principal across tokens and restarts. */
export function objectIdFor(clientId: string): string {
  const h = createHash("sha256").update(`aksemu-principal:${clientId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class TokenService {
  /** Verified tokens, so that the hot path checks a signature once per token. */
  private readonly verified = new Map<string, { principal: Principal; exp: number }>();

  constructor(
    private readonly key: SigningKey,
    private readonly wallNow: () => Date,
    /** Extra audiences that are valid for ARM (this server's base URL, with and without a trailing slash). */
    private readonly extraAudiences: () => readonly string[],
  ) {}

  audiences(): string[] {
    return [...ARM_AUDIENCES, ...this.extraAudiences()];
  }

  async issue(options: { issuer: string; audience: string; tenantId: string; clientId: string }): Promise<string> {
    const now = Math.floor(this.wallNow().getTime() / 1000);
    const oid = objectIdFor(options.clientId);
    return new SignJWT({
      tid: options.tenantId,
      oid,
      appid: options.clientId,
      azp: options.clientId,
      idtyp: "app",
      ver: "1.0",
    })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.key.kid })
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setSubject(oid)
      .setIssuedAt(now)
      .setNotBefore(now - 300)
      .setExpirationTime(now + TOKEN_LIFETIME_SECONDS)
      .sign(this.key.privateKey);
  }

  /** Checks the bearer token of an ARM request; throws ARM's 401 errors. */
  async verify(authorization: string | undefined, challengeUri: string): Promise<Principal> {
    const challenge = (description: string): Record<string, string> => ({
      "WWW-Authenticate": `Bearer authorization_uri="${challengeUri}", error="invalid_token", error_description="${description}"`,
    });
    if (authorization === undefined || authorization.trim() === "") {
      throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", {
        headers: challenge("The authentication failed because of missing 'Authorization' header."),
      });
    }
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (match === null) {
      throw new ArmError(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        { headers: challenge("The authentication failed because of an invalid 'Authorization' header.") },
      );
    }
    const token = match[1]!;
    const nowSeconds = Math.floor(this.wallNow().getTime() / 1000);
    const cached = this.verified.get(token);
    if (cached !== undefined && cached.exp > nowSeconds) return cached.principal;

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key.publicKey, {
        algorithms: ["RS256"],
        currentDate: this.wallNow(),
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        const exp = (error.payload.exp ?? 0) * 1000;
        throw new ArmError(
          401,
          "ExpiredAuthenticationToken",
          `The access token expiry UTC time '${new Date(exp).toISOString()}' is earlier than current UTC time '${this.wallNow().toISOString()}'. Get a new token and retry.`,
          { headers: challenge("The access token has expired.") },
        );
      }
      throw new ArmError(
        401,
        "InvalidAuthenticationToken",
        "The access token is invalid. Get a token from aksemu's own token endpoint.",
        {
          headers: challenge("The access token is invalid."),
        },
      );
    }
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud ?? ""];
    const allowed = this.audiences();
    if (!audiences.some((a) => allowed.includes(a))) {
      throw new ArmError(
        401,
        "InvalidAuthenticationTokenAudience",
        `The access token has been obtained for wrong audience or resource '${audiences.join(", ")}'. It should exactly match with one of the allowed audiences '${allowed.join("', '")}'.`,
        { headers: challenge("The access token has the wrong audience.") },
      );
    }
    const principal: Principal = {
      tenantId: String(payload.tid ?? ""),
      objectId: String(payload.oid ?? ""),
      appId: String(payload.appid ?? ""),
      claims: payload,
    };
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(token, { principal, exp: payload.exp ?? nowSeconds });
    return principal;
  }
}
