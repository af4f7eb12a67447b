/** A positive id written in decimal (as in a URL path), or 0 when it is none. */
export function parseId(text: string): number {
  return /^\d{1,15}$/.test(text) ? Number(text) : 0;
}
