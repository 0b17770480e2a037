/**
 * Timestamp text, read the same on every machine. JavaScript's `Date.parse` reads `2026-03-01` as
 * UTC but `2026-03-01 00:00` in the machine's zone, and accepts `1` or `March 1` (year 2001) and
 * `2026-02-30` (2 March), so a stored instant would depend on where and what was parsed. Here the
 * rule is ISO 8601 / RFC 3339 and nothing else:
 *
 *   YYYY-MM-DD[(T| )HH:MM[:SS[.fff…]][Z | ±HH[:MM]]]
 *
 * Text without an offset is UTC (as in Hopsworks and Feast); text with `Z` or an offset is that
 * instant. Fractions beyond milliseconds are truncated; calendar and clock ranges are checked.
 */
const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/

/** What `parseTimestamp` accepts, for error messages. */
export const TIMESTAMP_FORMAT = 'YYYY-MM-DD, optionally with THH:MM[:SS[.fff]] and Z or ±HH:MM (no offset = UTC)'

/** Epoch milliseconds of ISO 8601 text by the rule above, or null when the text is not such a timestamp. */
export function parseTimestamp(text: string): number | null {
  const m = TIMESTAMP_TEXT.exec(text.trim())
  if (!m) return null
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)]
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null
  if (hour > 23 || minute > 59 || second > 59) return null
  let offsetMinutes = 0
  const zone = m[8]
  if (zone && zone !== 'Z' && zone !== 'z') {
    const oh = Number(zone.slice(1, 3))
    const om = zone.length > 3 ? Number(zone.slice(-2)) : 0
    if (oh > 23 || om > 59) return null
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om)
  }
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute, second, ms)
  return d.getTime() - offsetMinutes * 60_000
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}
