/** MediaMTX releases whose Control API this collector was tested against (API v3, v1.x). */
const TESTED = /^v?1\.(1[0-9]|2[01])(\.\d+)?$/;

/** True for a tested release, false for any other (still tried), null when the server gave none. */
export function isTestedVersion(version: string | null): boolean | null {
  if (version === null || version === '') return null;
  return TESTED.test(version.trim());
}
