import type { Row } from '../../featurestore/index.js'
import type { ClassDescription } from '../system.js'

const WAVES = 'M0 150q12.5-8 25 0t25 0 25 0 25 0 25 0 25 0 25 0 25 0V200H0Z'

/**
 * Survived: a lifebuoy afloat with a tick. Died: the ship going down by the bow. Both in the class colour,
 * captioned, so the answer reads at a glance.
 */
export function titanicPicture(cls: ClassDescription | null, _features: Readonly<Row> | null): string {
  const color = cls?.color ?? '#6b7280'
  const survived = cls !== null && /surviv/i.test(cls.name)
  const caption = cls ? cls.name : 'Unknown'
  const scene = survived
    ? // lifebuoy: ring with four white bands, a rope and a tick
      `<g transform="translate(100 88)">` +
      `<circle r="46" fill="none" stroke="${color}" stroke-width="22"/>` +
      [45, 135, 225, 315].map((a) => `<rect x="-7" y="-58" width="14" height="24" fill="#fff" transform="rotate(${a})"/>`).join('') +
      `<circle r="58" fill="none" stroke="#92400e" stroke-width="2" stroke-dasharray="6 5"/>` +
      `<path d="M-16 2l11 12 22-26" fill="none" stroke="${color}" stroke-width="8" stroke-linecap="round" stroke-linejoin="round"/>` +
      `</g>`
    : // the ship tilted by the bow into the sea, smoke gone
      `<g transform="translate(104 112) rotate(24)">` +
      `<path d="M-78 0H74l-12 26H-66Z" fill="${color}"/>` +
      `<rect x="-60" y="-14" width="118" height="14" fill="#f5f5f4" stroke="${color}" stroke-width="2"/>` +
      [-40, -8, 24].map((x) => `<rect x="${x}" y="-44" width="14" height="30" fill="#d6d3d1" stroke="${color}" stroke-width="2"/>`).join('') +
      `</g>`
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200" role="img" aria-label="${caption}" class="picture picture-titanic">` +
    `<title>${caption}</title>` +
    `<rect width="200" height="200" rx="14" fill="${color}" fill-opacity="0.07"/>` +
    scene +
    `<path d="${WAVES}" fill="#1e3a8a" fill-opacity="${survived ? 0.25 : 0.55}"/>` +
    `<text x="100" y="188" text-anchor="middle" font-family="system-ui, sans-serif" font-size="17" font-weight="700" fill="${survived ? color : '#fff'}">${caption}</text>` +
    `</svg>`
  )
}
