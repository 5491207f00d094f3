/**
 * What an ARM request carries that the work it starts further down must keep: its correlation id, so that the
 * activity log ties a long-running operation's Started/Succeeded events to the request that began it, as ARM does.
 *
 * The front door runs each handler inside the scope; providers' deep call chains (cluster writes → lifecycle →
 * operations) then need not thread the id through every signature. Work the clock starts (policy actions, timers)
 * runs outside any request and gets a fresh id.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface RequestScope {
  correlationId: string;
}

const scope = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(value: RequestScope, work: () => Promise<T>): Promise<T> {
  return scope.run(value, work);
}

/** The scope of the request being handled, or undefined outside a request (timers, start-up). */
export function currentRequestScope(): RequestScope | undefined {
  return scope.getStore();
}
