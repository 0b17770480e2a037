import type { Row } from '../../featurestore/index.js'
import type { ClassDescription } from '../system.js'

const PX_PER_CM = 11
const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback)
const f1 = (x: number) => Math.round(x * 10) / 10

/** A leaf shape from the centre outwards: `length` long, widest (`width`) at about 60 % of its length. */
function leaf(length: number, width: number, angle: number, fill: string, opacity: number): string {
  const l = Math.max(6, length * PX_PER_CM)
  // A symmetric cubic reaches 0.75 of its control offset, so c = 0.667 × width puts the widest point at `width`.
  const c = Math.max(2, width * PX_PER_CM) * 0.667
  const d = `M0 0C${f1(c)} ${f1(-l * 0.3)} ${f1(c)} ${f1(-l * 0.9)} 0 ${f1(-l)}C${f1(-c)} ${f1(-l * 0.9)} ${f1(-c)} ${f1(-l * 0.3)} 0 0Z`
  return `<path d="${d}" transform="rotate(${angle})" fill="${fill}" fill-opacity="${opacity}" stroke="${opacity > 0.5 ? '#fff' : fill}" stroke-width="1.2" stroke-linejoin="round"/>`
}

/**
 * An iris seen from above, drawn to scale: three sepals (the broad "falls") and three petals in between,
 * each as long and wide as the measurements say, coloured by the class.
 */
export function irisPicture(cls: ClassDescription | null, features: Readonly<Row> | null): string {
  const color = cls?.color ?? '#6b7280'
  const sl = num(features?.sepal_length, 5.8)
  const sw = num(features?.sepal_width, 3)
  const pl = num(features?.petal_length, 3.8)
  const pw = num(features?.petal_width, 1.2)
  const label = `${cls ? cls.name : 'Iris'}: sepals ${sl} × ${sw} cm, petals ${pl} × ${pw} cm`
  const sepals = [0, 120, 240].map((a) => leaf(sl, sw, a, color, 0.45)).join('')
  const petals = [60, 180, 300].map((a) => leaf(pl, pw, a, color, 0.9)).join('')
  const veins = [0, 120, 240].map((a) => `<path d="M0 -4V${f1(-sl * PX_PER_CM * 0.55)}" transform="rotate(${a})" stroke="${color}" stroke-width="1" stroke-opacity="0.7"/>`).join('')
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-100 -100 200 200" width="200" height="200" role="img" aria-label="${label}" class="picture picture-iris">` +
    `<title>${label}</title>` +
    `<circle r="98" fill="${color}" fill-opacity="0.06"/>` +
    `<g>${sepals}${veins}${petals}</g>` +
    `<circle r="6" fill="#facc15" stroke="#a16207" stroke-width="1"/>` +
    `</svg>`
  )
}
