/**
 * The control API under `/_emulator/`: the clock, health, reset and the CA certificate.
 * Open without a token while aksemu listens on loopback only; a valid token is required otherwise (see server/app.ts).
 */
import { ArmError } from "../arm/errors.js";
import { isObject } from "../arm/body.js";
import type { ArmResponse, PlainRoute } from "../arm/handler.js";
import type { Clock } from "../clock/clock.js";
import { addDuration, parseIsoDuration, type IsoDuration } from "../clock/duration.js";
import { parseIsoInstant } from "../clock/instant.js";

export interface EmulatorOptions {
  clock: Clock;
  caPem: string;
  version: string;
  startedAt: Date;
  /** Empties every resource, operation, timer and event, then re-creates the defaults. */
  reset: () => Promise<void>;
}

function clockBody(clock: Clock): Record<string, unknown> {
  return { now: clock.now().toISOString(), mode: clock.getMode() };
}

function badRequest(message: string): ArmError {
  return new ArmError(400, "InvalidRequestContent", message);
}

function backwards(clock: Clock, target: Date): ArmError {
  return new ArmError(
    400,
    "ClockCannotMoveBackwards",
    `The clock cannot move backwards: it is ${clock.now().toISOString()} and ${target.toISOString()} is earlier. Use POST /_emulator/reset with a new --now to start over.`,
  );
}

async function moveTo(clock: Clock, target: Date): Promise<ArmResponse> {
  if (Number.isNaN(target.getTime())) throw badRequest("The target instant is not a valid date.");
  if (target.getTime() < clock.nowMs()) throw backwards(clock, target);
  try {
    const result = await clock.advanceTo(target);
    return { status: 200, body: { now: result.now.toISOString(), timersFired: result.timersFired } };
  } catch (error) {
    // In real mode time flows while the move waits its turn: the target may have become the past meanwhile.
    if (error instanceof RangeError) throw backwards(clock, target);
    throw error;
  }
}

async function moveBy(clock: Clock, duration: IsoDuration): Promise<ArmResponse> {
  const target = addDuration(clock.now(), duration);
  if (Number.isNaN(target.getTime()) || target.getUTCFullYear() > 9999) {
    throw badRequest("The clock would move past the year 9999. Use a shorter duration.");
  }
  const result = await clock.advanceBy(duration);
  return { status: 200, body: { now: result.now.toISOString(), timersFired: result.timersFired } };
}

export function emulatorRoutes(options: EmulatorOptions): PlainRoute[] {
  const { clock } = options;
  return [
    {
      method: "GET",
      path: "/_emulator/clock",
      auth: "emulator",
      handler: () => Promise.resolve({ status: 200, body: clockBody(clock) }),
    },
    {
      method: "POST",
      path: "/_emulator/clock/advance",
      auth: "emulator",
      handler: (req) => {
        const body = req.body;
        if (!isObject(body) || typeof body.duration !== "string") {
          throw badRequest('Send {"duration": "<ISO-8601 duration>"}, for example {"duration": "P30D"}.');
        }
        const duration = parseIsoDuration(body.duration);
        if (duration === undefined) {
          throw badRequest(`'${body.duration}' is not an ISO-8601 duration. Examples: "P30D", "PT90M", "P1Y2M".`);
        }
        return moveBy(clock, duration);
      },
    },
    {
      method: "PUT",
      path: "/_emulator/clock",
      auth: "emulator",
      handler: (req) => {
        const body = req.body;
        const instant = isObject(body) && typeof body.now === "string" ? parseIsoInstant(body.now) : undefined;
        if (instant === undefined) {
          throw badRequest(
            'Send {"now": "<ISO-8601 instant with a time zone>"}, for example {"now": "2027-01-01T00:00:00Z"}; the date must exist.',
          );
        }
        return moveTo(clock, instant);
      },
    },
    {
      method: "GET",
      path: "/_emulator/health",
      auth: "none",
      handler: () =>
        Promise.resolve({
          status: 200,
          body: {
            status: "ok",
            version: options.version,
            startedAt: options.startedAt.toISOString(),
            clock: clockBody(clock),
          },
        }),
    },
    {
      method: "POST",
      path: "/_emulator/reset",
      auth: "emulator",
      handler: async () => {
        await options.reset();
        return { status: 200, body: { reset: true, clock: clockBody(clock) } };
      },
    },
    {
      method: "GET",
      path: "/_emulator/ca.pem",
      auth: "none",
      handler: () =>
        Promise.resolve({ status: 200, body: options.caPem, headers: { "content-type": "application/x-pem-file" } }),
    },
  ];
}
