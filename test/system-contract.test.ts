// The system contract (test/support/system-contract.ts) for every system of the built-in config and for systems
// `sml init` scaffolds from a CSV, loaded from their project directory as a user's would be, on each database.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig, type Config } from '../src/config/index.js'
import { tempProject } from '../src/config/test-support/project.js'
import type { SqlDialect } from '../src/db/index.js'
import { testDialectNames, useTestDatabase } from '../src/db/test-support/dialects.js'
import { DATA_DIR } from '../src/featurestore/test-support/data.js'
import { scaffoldProject } from '../src/systems/scaffold/index.js'
import { scaffoldProjectFromUrl } from '../src/systems/scaffold/index.js'
import { splitCsv, startCsvFeed } from '../src/systems/scaffold/test-support/csv-feed.js'
import { runSystemContract, type ContractOptions } from './support/system-contract.js'

// One directory whose node_modules/serverless-ml links to this package's build (`npm run build` first); each
// scaffolded project is a directory inside it, so its `import … from 'serverless-ml'` resolves there.
const root = tempProject()
const scaffolds = {
  wine: scaffoldProject({ dir: join(root.dir, 'wine'), from: join(DATA_DIR, 'wine.csv'), label: 'cultivar' }),
  diabetes: scaffoldProject({ dir: join(root.dir, 'diabetes'), from: join(DATA_DIR, 'diabetes.csv'), label: 'progression' }),
  // Text choices stored as codes, missing values, free-text columns left out, `passengerid` as the key.
  passengers: scaffoldProject({ dir: join(root.dir, 'passengers'), from: join(DATA_DIR, 'titanic.csv'), label: 'survived' }),
}
// A wine merchant publishes its measurements as a CSV with a `measured_at` time (day i of 2025), the first 170
// at first; each contract day one more arrives, which the daily fetch (after --event-time measured_at) adds.
const wineLines = splitCsv(readFileSync(join(DATA_DIR, 'wine.csv'), 'utf8'), 178)
const measured = [`${wineLines.head.split('\n')[0]},measured_at`, ...wineLines.head.trimEnd().split('\n').slice(1).map((l, i) => `${l},${new Date(Date.UTC(2025, 0, i + 1)).toISOString()}`)]
const { head, rest } = splitCsv(`${measured.join('\n')}\n`, 170)
const feed = await startCsvFeed('cellar.csv', head)
const cellar = await scaffoldProjectFromUrl({ dir: join(root.dir, 'cellar'), from: feed.url, label: 'cultivar', eventTime: 'measured_at' })
const cellarRows = [...rest]
afterAll(async () => {
  await feed.close()
  root.remove()
  for (const h of homes) rmSync(h, { recursive: true, force: true })
})

const builtIn = () => loadConfig(undefined, { cwd: mkdtempSync(join(tmpdir(), 'sml-no-config-')), dataDir: DATA_DIR })
// The project's own CSV, not a data directory: as `npm start` in the project reads it.
const scaffolded = (name: keyof typeof scaffolds) => loadConfig(undefined, { cwd: scaffolds[name].dir })
// A download cache of its own per store (not the test's working directory's .sml): the backfill reads the URL as
// it is when that store's contract starts.
const homes: string[] = []
const fromUrl = () => loadConfig(undefined, { cwd: cellar.dir, home: homes[homes.push(mkdtempSync(join(tmpdir(), 'sml-cellar-home-'))) - 1] })
const cellarOptions: ContractOptions = { beforeDay: () => feed.append([cellarRows.shift()!]) }

const cases: [string, () => Promise<Config>, string, ContractOptions?][] = [
  ['iris (built-in)', builtIn, 'iris'],
  ['titanic (built-in)', builtIn, 'titanic'],
  ['air quality (built-in, time series)', builtIn, 'air_quality'],
  ['wine (sml init, classification)', () => scaffolded('wine'), 'wine'],
  ['diabetes (sml init, regression)', () => scaffolded('diabetes'), 'diabetes'],
  ['passengers (sml init from titanic.csv: text, missing values)', () => scaffolded('passengers'), 'passengers'],
  ['cellar (sml init from a CSV URL: daily fetch after --event-time)', fromUrl, 'cellar', cellarOptions],
]

describe.each(testDialectNames())('the system contract on %s', (dialect) => {
  let db: SqlDialect
  useTestDatabase(dialect, (_tdb, database) => {
    db = database
  })

  it('scaffolds the projects sml init promises', () => {
    expect(readdirSync(scaffolds.wine.dir).sort()).toEqual(['.gitignore', 'README.md', 'package.json', 'sml.config.ts', 'systems', 'tsconfig.json', 'wine.csv'])
    expect(scaffolds.wine.plan.task).toBe('classification')
    expect(scaffolds.diabetes.plan.task).toBe('regression')
    expect(cellar.plan).toMatchObject({ url: feed.url, eventTime: 'measured_at', daily: { kind: 'fetch', after: 'measured_at' } })
  })

  it.each(cases)('%s: backfill → train → daily → batch inference → predict API → pages → drift', async (_what, config, name, options) => {
    const c = await config()
    if (name in scaffolds) expect(c.file).toBe(join(scaffolds[name as keyof typeof scaffolds].dir, 'sml.config.ts'))
    const system = c.systems.find((s) => s.name === name)
    expect(system, name).toBeDefined()
    await runSystemContract(db, c, system!, options)
  })
})
