/** True for an IANA time zone name the runtime knows (America/New_York, Europe/Paris, UTC). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return /^[A-Za-z_/+-]+$/.test(name);
  } catch {
    return false;
  }
}
