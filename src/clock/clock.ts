/**
 * The one clock of aksemu.
 *
 * Emulated time (`now()`) is what every policy, operation and timestamp reads. In `real` mode it follows the wall
 * clock plus an offset that moves forward whenever a user advances time; in `frozen` mode it stands still until the
 * control API moves it. Scheduled work is stored as timers in the store and fires in due order (due time, then
 * creation order), so advancing a year in one call or in 365 calls runs the same handlers in the same order.
 *
 * Timer handlers are registered by the layer that schedules them (operations, policy, nodes): time flows up through
 * these callbacks without an import pointing up.
 *
 * `wallNow()` is the machine's own time, for the few things that must follow it whatever the emulated date: token
 * lifetimes (clients refresh tokens by their own clock) and the real-mode timer loop.
 */
import type { Store, StoredTimer } from "../store/store.js";
import { addDuration, type IsoDuration } from "./duration.js";

export type ClockMode = "real" | "frozen";

export interface TimerContext {
  /** The store, inside the transaction that also removes the timer. */
  store: Store;
  /** The instant the timer was due: the emulated time while the handler runs. */
  now: Date;
  timer: StoredTimer;
}

export type TimerHandler = (payload: unknown, ctx: TimerContext) => Promise<void>;

interface PersistedClock {
  mode: ClockMode;
  /** frozen: the instant; real: the offset from the wall clock. */
  frozenAt?: number;
  offsetMs?: number;
}

const SETTING = "clock";
/**
 * At most this many timers, or this many milliseconds of work, per transaction (see `fireBatch`). Longer batches
 * write a page changed by many timers once per commit instead of once per timer; 1.5 s is also the longest a
 * request arriving during a long advance waits for the store.
 */
const BATCH_TIMERS = 6000;
const BATCH_MS = 1500;
/** Due timers read at once (one query per chunk rather than one per timer; see `fireBatch`). */
const TIMER_CHUNK = 64;

export class Clock {
  private mode: ClockMode;
  private frozenAt: number;
  private offsetMs: number;
  /** While a timer handler runs, time reads as the timer's due instant. */
  private pinnedAt: number | undefined;
  /** The earliest due time scheduled since the firing loop last read its chunk of due timers. */
  private earliestScheduled: number | undefined;
  private readonly handlers = new Map<string, TimerHandler>();
  private firing: Promise<unknown> = Promise.resolve();
  private wakeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private logError: (message: string) => void = (m) => process.stderr.write(`${m}\n`);

  private constructor(
    private readonly store: Store,
    state: PersistedClock,
  ) {
    this.mode = state.mode;
    this.frozenAt = state.frozenAt ?? Date.now();
    this.offsetMs = state.offsetMs ?? 0;
  }

  /**
   * Opens the clock on a store. `mode` and `startAt` come from the command line; when neither is given the clock
   * resumes as it was persisted (a restart does not move emulated time backwards).
   */
  static async open(store: Store, options: { mode?: ClockMode; startAt?: Date }): Promise<Clock> {
    const persisted = await store.getSetting<PersistedClock>(SETTING);
    const wall = Date.now();
    const previousNow =
      persisted === undefined
        ? undefined
        : persisted.mode === "frozen"
          ? (persisted.frozenAt ?? wall)
          : wall + (persisted.offsetMs ?? 0);
    const mode = options.mode ?? persisted?.mode ?? "real";
    let start = options.startAt?.getTime() ?? previousNow ?? wall;
    // Never run time backwards over stored data: a restart with an older --now keeps the later instant.
    if (previousNow !== undefined && start < previousNow) start = previousNow;
    const state: PersistedClock = mode === "frozen" ? { mode, frozenAt: start } : { mode, offsetMs: start - wall };
    await store.setSetting(SETTING, state);
    return new Clock(store, state);
  }

  /** The emulated instant. */
  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    if (this.pinnedAt !== undefined) return this.pinnedAt;
    return this.mode === "frozen" ? this.frozenAt : Date.now() + this.offsetMs;
  }

  /** The machine's wall time (token lifetimes only; see the module comment). */
  wallNow(): Date {
    return new Date(Date.now());
  }

  getMode(): ClockMode {
    return this.mode;
  }

  /** Registers the handler of one kind of timer. Kinds are namespaced by their layer, e.g. `operations.complete`. */
  on(kind: string, handler: TimerHandler): void {
    if (this.handlers.has(kind)) throw new Error(`A handler for timer kind '${kind}' is already registered.`);
    this.handlers.set(kind, handler);
  }

  /**
   * Schedules a timer. Pass the store of the caller's transaction so that the timer commits with the write that
   * needs it.
   */
  async schedule(store: Store, dueAt: Date | number, kind: string, payload: unknown): Promise<number> {
    const due = typeof dueAt === "number" ? dueAt : dueAt.getTime();
    this.earliestScheduled = Math.min(this.earliestScheduled ?? due, due);
    const seq = await store.addTimer(due, kind, payload);
    this.armWake(due);
    return seq;
  }

  /**
   * Moves emulated time forward to `target`, firing every timer due on the way in due order; resolves after all of
   * them ran. Moving backwards is refused.
   */
  advanceTo(target: Date): Promise<{ now: Date; timersFired: number }> {
    const run = this.firing.then(() => this.fireUpTo(target.getTime(), true));
    this.firing = run.catch(() => undefined);
    return run;
  }

  /**
   * Moves time forward by `duration`, measured from the instant the move starts (after any timers already firing),
   * so that in real mode the time that passes while waiting cannot turn a forward move into a backward one.
   */
  advanceBy(duration: IsoDuration): Promise<{ now: Date; timersFired: number }> {
    const run = this.firing.then(() => this.fireUpTo(addDuration(this.now(), duration).getTime(), true, true));
    this.firing = run.catch(() => undefined);
    return run;
  }

  /** Fires the timers that are due now (real mode's background loop, and after start-up). */
  fireDue(): Promise<{ now: Date; timersFired: number }> {
    const run = this.firing.then(() => this.fireUpTo(this.nowMs(), false));
    this.firing = run.catch(() => undefined);
    return run;
  }

  /**
   * `relative` moves (advanceBy) are forward by definition: in real mode the wall clock may tick between reading
   * `now()` for the target and checking it here, so their target is never earlier than the current instant.
   */
  private async fireUpTo(
    target: number,
    moveTime: boolean,
    relative = false,
  ): Promise<{ now: Date; timersFired: number }> {
    if (relative) target = Math.max(target, this.nowMs());
    if (moveTime && target < this.nowMs()) {
      throw new RangeError(
        `The clock cannot move backwards: it is ${this.now().toISOString()} and ${new Date(target).toISOString()} is earlier.`,
      );
    }
    let fired = 0;
    try {
      for (;;) {
        const batch = await this.store.transaction((tx) => this.fireBatch(tx, target));
        fired += batch.fired;
        if (batch.done) break;
      }
    } finally {
      this.pinnedAt = undefined;
    }
    if (moveTime) await this.setNow(target);
    await this.rearm();
    return { now: this.now(), timersFired: fired };
  }

  /**
   * Fires due timers in due order inside one transaction, until none is left or the batch is full (so that each
   * commit, and what a crash before it would have to redo, stays bounded). Each timer runs behind a
   * savepoint: a failing handler's writes are undone, it is logged and its timer dropped, and the batch goes on, as
   * when each timer had a transaction of its own; one commit (one fsync) for the batch is what makes a long advance
   * fast. A crash before the commit loses no accepted client write: the batch's timers are still stored and fire
   * again after the restart.
   *
   * Due timers are read a chunk at a time. A timer of the chunk that an earlier one's work removed is skipped (its
   * delete finds nothing); a timer scheduled meanwhile that falls due before the rest of the chunk makes the loop
   * read the chunk again (new timers are numbered after every stored one, so one due at the same instant as the
   * chunk's next comes after it anyway).
   */
  private async fireBatch(tx: Store, target: number): Promise<{ fired: number; done: boolean }> {
    const started = performance.now();
    let fired = 0;
    let chunk: StoredTimer[] = [];
    let next = 0;
    while (fired < BATCH_TIMERS && performance.now() - started < BATCH_MS) {
      if (next >= chunk.length || (this.earliestScheduled ?? Infinity) < chunk[next]!.dueAt) {
        this.earliestScheduled = undefined;
        chunk = await tx.dueTimers(target, TIMER_CHUNK);
        next = 0;
        if (chunk.length === 0) return { fired, done: true };
      }
      const timer = chunk[next++]!;
      const handler = this.handlers.get(timer.kind);
      const now = new Date(Math.max(timer.dueAt, this.pinnedAt ?? this.nowMsUnpinned()));
      let removedMeanwhile = false;
      try {
        await tx.savepoint(async (sp) => {
          removedMeanwhile = !(await sp.deleteTimer(timer.seq));
          if (removedMeanwhile) return;
          this.pinnedAt = now.getTime();
          if (handler !== undefined) await handler(timer.payload, { store: sp, now, timer });
        });
      } catch (error) {
        // A failing handler must not wedge the clock: log it and drop the timer so that time can go on.
        this.logError(`aksemu: timer ${timer.kind}#${timer.seq} failed: ${(error as Error).stack ?? String(error)}`);
        await tx.deleteTimer(timer.seq);
      }
      if (removedMeanwhile) continue;
      if (handler === undefined) this.logError(`aksemu: no handler for timer kind '${timer.kind}'; dropped.`);
      fired += 1;
    }
    return { fired, done: false };
  }

  private nowMsUnpinned(): number {
    return this.mode === "frozen" ? this.frozenAt : Date.now() + this.offsetMs;
  }

  private async setNow(target: number): Promise<void> {
    if (this.mode === "frozen") this.frozenAt = target;
    else this.offsetMs = Math.max(this.offsetMs, target - Date.now());
    await this.store.setSetting(
      SETTING,
      this.mode === "frozen" ? { mode: "frozen", frozenAt: this.frozenAt } : { mode: "real", offsetMs: this.offsetMs },
    );
  }

  /** In real mode, wakes up when the earliest timer falls due. */
  private armWake(dueAt: number): void {
    if (this.mode !== "real" || this.closed) return;
    const delay = Math.max(0, dueAt - this.nowMsUnpinned());
    if (this.wakeTimer !== undefined && this.wakeDueAt !== undefined && this.wakeDueAt <= dueAt) return;
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.wakeDueAt = dueAt;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.wakeDueAt = undefined;
        void this.fireDue().catch((e: unknown) => this.logError(`aksemu: timer loop: ${String(e)}`));
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    this.wakeTimer.unref();
  }

  private wakeDueAt: number | undefined;

  private async rearm(): Promise<void> {
    if (this.mode !== "real" || this.closed) return;
    const next = await this.store.earliestTimer();
    if (next !== undefined) this.armWake(next.dueAt);
  }

  /** Starts the real-mode loop for timers that were already stored (after a restart). */
  async start(): Promise<void> {
    await this.fireDue();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    await this.firing;
  }
}
