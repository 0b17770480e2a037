// The system contract: what every system of a config must do on a store, whoever wrote it (the built-in iris and
// titanic, a system `sml init` scaffolded, a user's hand-written one). Written once, run per system.
import { expect } from 'vitest'
import type { Config } from '../../src/config/index.js'
import type { SqlDialect } from '../../src/db/index.js'
import { FeatureStore } from '../../src/featurestore/index.js'
import { ModelRegistry } from '../../src/registry/index.js'
import { runPipeline, type Pipeline } from '../../src/runtime/index.js'
import {
  featureDrift,
  labelClasses,
  predictionsFeatureGroup,
  systemFeatureGroup,
  systemTask,
  type FieldDescription,
  type SystemDescription,
} from '../../src/systems/index.js'
import { createApp, createServices } from '../../src/web/index.js'

const quiet = { echo: () => {}, sleep: async () => {} }
/** Three synthetic days, each followed by its batch inference 15 minutes later. */
const DAYS = [1, 2, 3].map((d) => new Date(Date.UTC(2026, 3, d, 6)))

/** What a person would enter first on the predict page: every field's default. */
export function defaultInput(system: SystemDescription): Record<string, string | number> {
  return Object.fromEntries(system.fields.map((f: FieldDescription) => [f.name, f.default]))
}

/** A second input: each number field at its upper quarter (on its step), each choice at its last option. */
export function otherInput(system: SystemDescription): Record<string, string | number> {
  return Object.fromEntries(
    system.fields.map((f: FieldDescription) => {
      if (f.kind === 'choice') return [f.name, f.choices.at(-1)!.value]
      const x = f.min + Math.round((0.75 * (f.max - f.min)) / f.step) * f.step
      return [f.name, Number(Math.min(f.max, x).toFixed(10))]
    }),
  )
}

/** What a system's world does around the contract's runs. */
export interface ContractOptions {
  /**
   * Before each daily run (`day` 0, 1, 2): new data arrives where the source publishes it (a served CSV grows by
   * a row), for a system whose daily pipeline fetches real rows instead of drawing synthetic ones.
   */
  readonly beforeDay?: (day: number) => void | Promise<void>
}

/**
 * For `system` of `config` on `db` (an empty store): backfill → train → three days of daily rows and batch
 * inference → predict through the HTTP API (one row, a batch of two, a bad row refused with 400) → predict and
 * monitor pages render (HTTP 200, the system's title, its task's charts) → drift computed over its inputs. The
 * pipelines are the config's (as `sml run` gets them), the app is src/web's over the config's systems. Each daily
 * run must add one row: a fetching system gets one by `options.beforeDay`.
 */
export async function runSystemContract(db: SqlDialect, config: Config, system: SystemDescription, options: ContractOptions = {}): Promise<void> {
  const pipeline = (kind: 'feature' | 'training' | 'daily' | 'batch-inference'): Pipeline => {
    const p = config.pipelines.find((x) => x.name === `${system.name}-${kind}`)
    expect(p, `${system.name}-${kind} in the config's pipelines`).toBeDefined()
    return p!
  }
  const run = async (kind: Parameters<typeof pipeline>[0], scheduledFor?: Date) => {
    const outcome = await runPipeline(pipeline(kind), { db, scheduledFor, ...quiet })
    expect(outcome.ok, `${system.name}-${kind}: ${outcome.runs.at(-1)?.error ?? ''}`).toBe(true)
  }
  const fs = new FeatureStore(db)
  const registry = new ModelRegistry(db)
  const classification = systemTask(system) === 'classification'

  await run('feature', new Date('2026-03-01T00:00:00Z'))
  const fg = await systemFeatureGroup(fs, system)
  const real = await fg.count()
  expect(real).toBeGreaterThan(0)

  await run('training')
  const model = await registry.get(system.model.name)
  if (classification) expect(model.metrics.accuracy).toBeGreaterThan(1 / labelClasses(system).length)
  else expect(model.metrics.r2).toBeGreaterThan(0)

  for (const [i, day] of DAYS.entries()) {
    await options.beforeDay?.(i)
    await run('daily', day)
    await run('batch-inference', new Date(day.getTime() + 15 * 60_000))
  }
  expect(await fg.count()).toBe(real + DAYS.length)
  const predictions = await (await predictionsFeatureGroup(fs, system)).read()
  if (system.timeSeries) {
    // A time series forecasts `horizon` days from each new day (a new issue day each run), and hindcasts the past.
    const forecasts = predictions.filter((p) => p.kind === 'forecast')
    expect(forecasts).toHaveLength(DAYS.length * system.timeSeries.horizon)
    expect(new Set(forecasts.map((p) => (p.issued as Date).getTime())).size).toBe(DAYS.length)
    expect(predictions.every((p) => p.model_version === model.version && Number.isFinite(p.predicted))).toBe(true)
  } else {
    expect(predictions).toHaveLength(DAYS.length)
    expect(predictions.every((p) => p.model_version === model.version && p.actual !== null)).toBe(true)
  }

  const services = createServices(db, { systems: config.systems, pipelines: config.pipelines })
  try {
    const app = createApp(services)
    const post = (body: unknown) => app.request(`/api/${system.name}/predict`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
    const names = labelClasses(system).map((c) => c.name)
    const expectAnswer = (a: { prediction: unknown; modelVersion: number }) => {
      expect(a.modelVersion).toBe(model.version)
      if (classification) expect(names).toContain(a.prediction)
      else expect(Number.isFinite(a.prediction)).toBe(true)
    }
    const one = await post(defaultInput(system))
    expect(one.status, await one.clone().text()).toBe(200)
    expectAnswer((await one.json()) as { prediction: unknown; modelVersion: number })
    const batch = await post([defaultInput(system), otherInput(system)])
    expect(batch.status, await batch.clone().text()).toBe(200)
    const answers = (await batch.json()) as { prediction: unknown; modelVersion: number }[]
    expect(answers).toHaveLength(2)
    answers.forEach(expectAnswer)
    const firstField = system.fields[0]
    const bad = await post({ ...defaultInput(system), [firstField.name]: firstField.kind === 'number' ? firstField.max + 10 * (firstField.max - firstField.min + 1) : '(none)' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toContain(firstField.name)

    const predictPage = await app.request(`/${system.name}`)
    expect(predictPage.status).toBe(200)
    expect(await predictPage.text()).toContain(system.title)
    const monitor = await app.request(`/${system.name}/monitor`)
    expect(monitor.status).toBe(200)
    const html = await monitor.text()
    expect(html).toContain(system.title)
    const charts = classification ? ['id="confusion"', 'id="accuracy"'] : ['id="error"', 'id="scatter"', 'id="predicted-over-time"', ...(system.timeSeries ? ['id="forecast"', 'id="hindcast"', 'id="mae-by-horizon"'] : [])]
    for (const chart of [...charts, 'id="drift-card"', 'id="history"']) expect(html, chart).toContain(chart)
    // The model page draws its test split the way its task reads: a confusion matrix or predicted against actual.
    const modelPage = await app.request(`/models/${system.model.name}`)
    expect(modelPage.status).toBe(200)
    expect(await modelPage.text()).toMatch(classification ? /<h3>Confusion matrix \(test split\)<\/h3>\s*<img/ : /<h3>Predicted vs actual \(test split\)<\/h3>\s*<img/)
    const data = (await (await app.request(`/api/${system.name}/monitor`)).json()) as { task: string; totals: { predictions: number } }
    // A time series' totals count its one-day-ahead values (hindcasts included).
    expect(data).toMatchObject({ task: systemTask(system), totals: { predictions: system.timeSeries ? expect.any(Number) : DAYS.length } })

    await services.requestLog.flush()
    const drift = await featureDrift(fs, registry, system, { now: new Date(Date.now() + 60_000), windowDays: 3650 })
    expect(drift).not.toBeNull()
    expect(drift!.referenceRows).toBeGreaterThan(0)
    expect(drift!.currentRows.requests).toBe(3)
    expect(drift!.features.map((f) => f.column)).toEqual(system.fields.map((f) => f.name))

    // After the drift counts (these requests are logged too): an optional field (a column with missing values) may be sent null or left out: the model is given NaN.
    for (const f of system.fields) {
      if (f.kind !== 'number' || !f.optional) continue
      const { [f.name]: _, ...without } = defaultInput(system)
      for (const body of [{ ...defaultInput(system), [f.name]: null }, without]) {
        const r = await post(body)
        expect(r.status, `${f.name} missing: ${await r.clone().text()}`).toBe(200)
        expectAnswer((await r.json()) as { prediction: unknown; modelVersion: number })
      }
    }
  } finally {
    await services.requestLog.close()
  }
}
