import { humanize, numberRange, type InferredColumn, type ScaffoldPlan } from './infer.js'
import { plural } from '../../support/plural.js'

/** What the scaffold writes besides the CSV: file path in the project → text. */
export type ScaffoldFiles = Readonly<Record<string, string>>

/** The package spec a scaffolded project depends on when the caller gives none (`sml init` gives its own version's range). */
export const DEFAULT_PACKAGE_SPEC = '^0.1.0'

/** How a scaffolded system's daily pipeline makes new rows, as data, before `synthetic` becomes its options. */
export const SYNTHETIC_JITTER = 0.1

/**
 * The daily pipeline's property of the description: the one line of the template that says how new rows arrive
 * (`plan.daily`). Synthetic: rows drawn from the real ones conditionally on the label (`conditionalResampler`),
 * each continuous feature jittered by SYNTHETIC_JITTER of its per-class standard deviation. Fetch: the URL re-read
 * each day and its rows beyond the stored position in the `after` column added (`newSourceRows`).
 */
export function dailyTemplate(daily: ScaffoldPlan['daily'] = { kind: 'synthetic' }): string {
  if (daily.kind === 'fetch') return `daily: { fetch: newSourceRows({ after: '${daily.after}' }) },`
  return `daily: { synthetic: { jitter: ${SYNTHETIC_JITTER} } },`
}

/** How `plan`'s rows are described in comments and READMEs: `wine.csv`, or `wine.csv (from https://…)`. */
const origin = (plan: ScaffoldPlan) => (plan.url ? `${plan.file} (from ${plan.url})` : plan.file)

/**
 * The project's files for a plan: package.json (depending on `packageSpec`), sml.config.ts, systems/<name>.ts,
 * .gitignore and README.md. Pure: text only; the caller writes the CSV (a copy of the file, or what the URL answered) beside them.
 */
export function renderProject(plan: ScaffoldPlan, packageSpec = DEFAULT_PACKAGE_SPEC): ScaffoldFiles {
  return {
    'package.json': renderPackageJson(plan, packageSpec),
    'sml.config.ts': renderConfig(plan),
    [`systems/${plan.name}.ts`]: renderSystem(plan),
    'tsconfig.json': renderTsconfig(),
    '.gitignore': 'node_modules/\n.sml/\n',
    'README.md': renderReadme(plan),
  }
}

function renderPackageJson(plan: ScaffoldPlan, packageSpec: string): string {
  const pkg = {
    name: plan.name.replaceAll('_', '-'),
    version: '0.1.0',
    private: true,
    type: 'module',
    description: plan.title,
    // exec: npm runs a script in a shell, and SIGTERM to npm (docker stop, systemd) reaches the shell, not the server.
    scripts: { start: 'exec sml start', serve: 'exec sml serve', pipelines: 'sml pipelines', sml: 'sml' },
    dependencies: { 'serverless-ml': packageSpec },
  }
  return `${JSON.stringify(pkg, null, 2)}\n`
}

/** For editors and `npx tsc`: the project is loaded without a build (jiti), so this only type-checks. */
function renderTsconfig(): string {
  const config = {
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true },
    include: ['sml.config.ts', 'systems'],
  }
  return `${JSON.stringify(config, null, 2)}\n`
}

function renderConfig(plan: ScaffoldPlan): string {
  return `// The project's config: the systems \`sml start\` serves (import and list more here). The store is the SQLite
// file .sml/sml.db in this directory (SML_HOME moves it), or PostgreSQL when DATABASE_URL is set.
import { defineConfig } from 'serverless-ml'
import { ${plan.name} } from './systems/${plan.name}.js'

export default defineConfig({ systems: [${plan.name}] })
`
}

const q = (v: string | number): string => (typeof v === 'number' ? String(v) : `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`)
/** `r.alcohol`, or `r['sepal length']` for a header that is not an identifier. */
const cell = (header: string): string => (/^[a-z_$][a-z0-9_$]*$/i.test(header) ? `r.${header}` : `r[${q(header)}]`)
/** `[a, b]` on one line when short, else one line per ~100 characters, indented under `indent`. */
function list(items: readonly string[], indent: string): string {
  const flat = `[${items.join(', ')}]`
  if (flat.length <= 100) return flat
  const lines: string[] = []
  let current = ''
  for (const item of items) {
    if (current && current.length + item.length + 2 > 100) {
      lines.push(current)
      current = ''
    }
    current += `${item}, `
  }
  lines.push(current)
  return `[\n${lines.map((l) => `${indent}  ${l.trimEnd()}`).join('\n')}\n${indent}]`
}
const constName = (name: string) => `${name.toUpperCase()}_CHOICES`
const textChoice = (c: InferredColumn) => c.role === 'feature' && c.field === 'choice' && c.csvType === 'string'
/** A regression label is a quantity: float, so that predictions (never whole) and labels share a type. */
const columnType = (plan: ScaffoldPlan, c: InferredColumn) => (c.role === 'label' && plan.task === 'regression' ? 'float' : c.role === 'event-time' ? 'timestamp' : c.csvType)
const range = (c: InferredColumn) => `${c.stats!.min}–${c.stats!.max}`

function renderSystem(plan: ScaffoldPlan): string {
  const { columns, label, key, eventTime } = plan
  const features = columns.filter((c) => c.role === 'feature')
  const used = columns.filter((c) => c.role !== 'dropped')
  const dropped = columns.filter((c) => c.role === 'dropped')
  const classification = plan.task === 'classification'
  const model = classification ? 'HistGradientBoostingClassifier' : 'HistGradientBoostingRegressor'
  const texts = features.filter(textChoice)
  const eventCol = columns.find((c) => c.role === 'event-time')
  const imports = ['csvToRows', 'defineSystem', model, ...(plan.daily.kind === 'fetch' ? ['newSourceRows'] : []), ...(texts.length ? ['ValidationError'] : []), 'type CsvTable', 'type FeatureSpec', 'type Row']
  const out: string[] = []
  const line = (s = '') => out.push(s)

  line(`// The ${plan.name} system, scaffolded by \`sml init\` from ${origin(plan)} (${plan.rows} rows). It is yours to edit:`)
  line('// lines marked "inferred" are guesses from the data, to review (README.md lists what to check).')
  line(`import { ${imports.join(', ')} } from 'serverless-ml'`)
  line()
  line(`/** ${plan.file}'s columns as the CSV holds them (types inferred from its ${plural(plan.rows, 'row')}; an empty cell, and NaN, NA, n/a … in a column that is not text, is a missing value). */`)
  line('const CSV_COLUMNS: FeatureSpec[] = [')
  for (const c of columns) {
    const note = c.role === 'dropped' ? ` // not used: ${c.reason}` : c.role === 'label' ? ' // the label' : c.role === 'key' ? ' // the key' : c.role === 'event-time' ? ' // the event time' : ''
    line(`  { name: ${q(c.header)}, type: '${columnType(plan, c)}' },${note}`)
  }
  line(']')
  for (const c of texts) {
    line()
    line(`/** ${humanize(c.name)}: the values seen in ${plan.file} (inferred) and the code the feature group stores for each. */`)
    line(`const ${constName(c.name)} = [`)
    c.values!.forEach((v, i) => line(`  { value: ${q(v)}, code: ${i}, label: ${q(String(v))} },`))
    line(']')
  }
  line()
  line(`export const ${plan.name} = defineSystem({`)
  line(`  name: '${plan.name}',`)
  line(`  title: ${q(plan.title)},`)
  line(`  description: ${q(`Predicts ${label.name.replaceAll('_', ' ')} from ${features.length} columns of ${plan.file} (histogram gradient boosting).`)},`)
  if (plan.url) {
    line('  // Downloaded from the URL (cached under .sml/cache for the backfill; the daily pipeline downloads it afresh);')
    line(`  // SML_DATA_DIR=. reads the copy ${plan.file} here instead.`)
  }
  line(`  source: { file: ${q(plan.file)}, ${plan.url ? `url: ${q(plan.url)}, ` : ''}requiredColumns: ${list(used.map((c) => q(c.header)), '  ')} },`)
  line('  featureGroup: {')
  line(`    name: '${plan.name}',`)
  line('    version: 1,')
  line(`    description: ${q(`${humanize(plan.name)}: ${features.length} features and ${label.name}, from ${plan.file}`)},`)
  const continued = plan.daily.kind === 'fetch' ? 'rows appended at the URL continue it' : 'synthetic rows continue it'
  line(`    primaryKey: ['${key.name}'],${key.generated ? ` // inferred: the row's number in ${plan.file} (no unique id column); ${continued}` : ''}`)
  line(`    eventTime: '${eventTime}', // ${eventCol ? `when the row happened: ${plan.file}'s "${eventCol.header}" (--event-time)` : 'when a row was written (the feature pipeline stamps it)'}`)
  line('    schema: [')
  line(`      { name: '${key.name}', type: 'int' },`)
  line(`      { name: '${eventTime}', type: 'timestamp' },`)
  for (const c of [...features, label]) {
    const type = textChoice(c) ? 'int' : columnType(plan, c)
    const note = textChoice(c) ? ` // code of ${constName(c.name)}` : ''
    line(`      { name: '${c.name}', type: '${type}', nullable: ${c.nullable} },${note}`)
  }
  line('    ],')
  line(`    // inferred from the data: ranges warn (new data may go beyond them), allowed values refuse anything else`)
  line('    expectations: [')
  for (const c of [...features, label]) {
    if (c.role === 'label' && classification) line(`      { column: '${c.name}', allowed: [${c.values!.map(q).join(', ')}], strict: true },`)
    else if (c.field === 'choice') line(`      { column: '${c.name}', allowed: [${(textChoice(c) ? c.values!.map((_, i) => i) : c.values!).map(q).join(', ')}], strict: true },`)
    else line(`      { column: '${c.name}', min: ${c.stats!.min}, max: ${c.stats!.max} },`)
  }
  line('    ],')
  line('  },')
  line(`  // Feature engineering: the CSV's cells typed${texts.length ? ', text choices as their codes' : ''}${key.generated ? ', each row numbered' : ''}${dropped.length ? `, ${dropped.map((c) => c.name).join(', ')} left out` : ''}.`)
  line('  clean(table: CsvTable): Row[] {')
  line(`    return csvToRows(table, CSV_COLUMNS, ${q(plan.file)})`)
  if (label.nullable) line(`      .filter((r) => ${cell(label.header)} !== null) // rows without a label can neither train nor be scored`)
  line('      .map((r, i) => ({')
  line(`        ${key.name}: ${key.generated ? 'i + 1' : cell(columns.find((c) => c.role === 'key')!.header)},`)
  if (eventCol) line(`        ${eventCol.name}: ${cell(eventCol.header)},`)
  for (const c of [...features, label]) {
    if (textChoice(c)) line(`        ${c.name}: encode(${constName(c.name)}, ${cell(c.header)}, '${c.name}', i + 1),`)
    else line(`        ${c.name}: ${cell(c.header)},`)
  }
  line('      }))')
  line('  },')
  if (classification) {
    line(`  // inferred: classification, as ${plan.taskReason};`)
    line('  // a class per value, names and colours yours to change')
    line('  label: {')
    line(`    column: '${label.name}',`)
    line('    classes: [')
    for (const k of plan.classes!) line(`      { value: ${q(k.value)}, name: ${q(k.name)}, color: '${k.color}' },`)
    line('    ],')
    line('  },')
  } else {
    line(`  // inferred: regression, as ${plan.taskReason};`)
    line("  // add unit: '…' to show one with the predictions")
    line(`  label: { column: '${label.name}' },`)
  }
  line('  // The predict page, one input per feature in column order (inferred: ranges from the data, widened and rounded).')
  line('  fields: [')
  for (const c of features) {
    if (c.field === 'choice') {
      const choices = textChoice(c) ? constName(c.name) : `[${c.values!.map((v) => `{ value: ${q(v)}, code: ${q(v)}, label: ${q(String(v))} }`).join(', ')}]`
      line(`    { kind: 'choice', name: '${c.name}', label: ${q(humanize(c.name))}, choices: ${choices}, default: ${q(c.values![0])} },`)
    } else {
      const r = numberRange(c)
      const integer = c.csvType === 'int' ? ', integer: true' : ''
      // A column with missing cells may be sent missing: the booster was trained on them and routes them natively.
      const optional = c.nullable ? ', optional: true' : ''
      line(`    { kind: 'number', name: '${c.name}', label: ${q(humanize(c.name))}, min: ${r.min}, max: ${r.max}, step: ${r.step}, default: ${r.default}${integer}${optional} }, // data: ${range(c)}${c.nullable ? '; may be missing' : ''}`)
    }
  }
  line('  ],')
  line(`  training: { testSize: 0.2, seed: 42${classification && plan.stratify ? ', stratify: true' : ''} },`)
  line('  model: {')
  line(`    name: '${plan.name}_model',`)
  line('    description: "histogram gradient boosting (scikit-learn\'s defaults)",')
  line(`    create: (seed) => new ${model}({ seed }),`)
  line('  },')
  if (plan.daily.kind === 'fetch') line(`  // The daily pipeline: the URL read again, and its ${plan.daily.reason} added (the position is kept in the store).`)
  else line(`  // The daily pipeline: new rows resampled from the real ones of a label, continuous features jittered.${plan.url ? ' (No column tells the URL\'s new rows apart: see README.md.)' : ''}`)
  line(`  ${dailyTemplate(plan.daily)}`)
  line("  // cron, read in UTC (or { cron, timezone: 'Europe/Stockholm' }); batch inference runs after the daily rows")
  line("  schedules: { daily: '0 6 * * *', batchInference: '15 6 * * *' },")
  line('})')
  if (texts.length) {
    line()
    line('/** A text cell as the code the feature group stores; a value outside the choices is refused, naming the row. */')
    line('function encode(choices: readonly { value: string | number; code: number }[], value: unknown, column: string, row: number): number | null {')
    line('  if (value === null) return null')
    line('  const choice = choices.find((c) => c.value === value)')
    line('  if (choice) return choice.code')
    line(`  const reason = \`\${JSON.stringify(value)} is not one of \${choices.map((c) => c.value).join(', ')}\``)
    line(`  throw new ValidationError(\`${plan.file} row \${row}, column "\${column}": \${reason}\`, [{ row, column, reason }])`)
    line('}')
  }
  return `${out.join('\n')}\n`
}

/** The summary `sml init` prints: one line per column (type, role, range or choices), then what to review. */
export function describePlan(plan: ScaffoldPlan): string[] {
  const lines = [`${plan.name}: ${plural(plan.rows, 'row')} of ${origin(plan)}; ${plan.task} of ${plan.label.name}: ${plan.taskReason}`]
  const width = Math.max(...plan.columns.map((c) => c.header.length), plan.key.name.length)
  if (plan.key.generated) lines.push(`  ${plan.key.name.padEnd(width)}  int     key (generated row number)`)
  for (const c of plan.columns) {
    const type = `${columnType(plan, c) === 'timestamp' ? 'time' : c.csvType}${c.nullable ? '?' : ''}`.padEnd(7)
    let what: string
    if (c.role === 'label') what = plan.classes ? `label, classes ${plan.classes.map((k) => k.value).join(', ')}` : `label, ${range(c)}`
    else if (c.role === 'key') what = plan.daily.kind === 'fetch' && plan.daily.after === c.name ? 'key, the daily fetch\'s position' : 'key'
    else if (c.role === 'event-time') what = plan.daily.kind === 'fetch' ? 'event time, the daily fetch\'s position' : 'event time'
    else if (c.role === 'dropped') what = `not used (${c.reason})`
    else if (c.field === 'choice') what = `choice of ${c.values!.join(', ')}`
    else {
      const r = numberRange(c)
      what = `number ${range(c)} (field ${r.min}–${r.max}, step ${r.step})`
    }
    lines.push(`  ${c.header.padEnd(width)}  ${type} ${what}${c.name !== c.header && c.role !== 'dropped' ? ` as ${c.name}` : ''}`)
  }
  return lines
}

function renderReadme(plan: ScaffoldPlan): string {
  return `# ${plan.title}

An ML system scaffolded by \`sml init\` from ${plan.url ? `${plan.url} (\`${plan.file}\`, ${plural(plan.rows, 'row')} then)` : `\`${plan.file}\` (${plural(plan.rows, 'row')})`} with
[serverless-ml](https://www.npmjs.com/package/serverless-ml): a ${plan.task} of \`${plan.label.name}\`.

## Run it

\`\`\`sh
npm install
npm start          # backfills ${plan.url ? 'the URL' : plan.file}, trains, runs the daily schedules and serves http://127.0.0.1:3000
\`\`\`
${plan.url ? `
The source is the URL: the backfill downloads it once (cached in \`.sml/cache\`) and ${plan.daily.kind === 'fetch' ? `the daily pipeline downloads it again each day and adds its ${plan.daily.reason}` : 'the daily pipeline adds synthetic rows drawn from the real ones (no column tells the URL\'s new rows apart; see Review)'}.
\`${plan.file}\` here is the copy \`sml init\` downloaded: \`SML_DATA_DIR=. npm start\` reads it instead, offline${plan.daily.kind === 'fetch' ? ' (the daily fetch then finds nothing new)' : ''}.
` : ''}
\`npm start -- --port 8080\` (or \`PORT=8080 npm start\`) serves on another port. The store is \`.sml/sml.db\` here;
set \`DATABASE_URL=postgres://…\` to use PostgreSQL. Then open:

- \`/${plan.name}\`: the predict page (also \`POST /api/${plan.name}/predict\`, see \`/docs\`),
- \`/${plan.name}/monitor\`: batch predictions against the outcomes, drift, pipeline freshness.

\`npx sml pipelines\` lists the pipelines; \`npx sml run ${plan.name}-training\` retrains.

## What was generated

- \`systems/${plan.name}.ts\`: the system (\`defineSystem\`): schema, key, cleaning, label, predict-page fields,
  expectations, model, daily pipeline and schedules.
- \`sml.config.ts\`: the project's config, listing the systems to serve.
- \`${plan.file}\`: ${plan.url ? 'the URL\'s data when the project was made (read with SML_DATA_DIR=.)' : 'the data the feature pipeline backfills'}.

## Review

${plan.review.map((r) => `- ${r}`).join('\n')}

Edit \`systems/${plan.name}.ts\` and run \`npm start\` again: a changed description is checked when it loads.
A changed schema needs a new \`featureGroup.version\` (the store keeps version 1's table and rows).
`
}
