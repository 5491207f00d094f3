/**
 * The machine's wall time, for the things that must follow it whatever the emulated date: certificate validity
 * (TLS clients check it against their own clock) and token lifetimes. Everything else reads `Clock.now()`.
 */
export function wallNow(): Date {
  return new Date();
}
