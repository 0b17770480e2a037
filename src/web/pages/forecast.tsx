import { Card, InlineSvg, Table } from './components.js'
import { valueText, type MonitorPageProps } from './monitor.js'

/** A time series' forecast with each day's band, the hindcast, and the error by horizon (see ForecastMonitor). */
export function ForecastSections(props: MonitorPageProps) {
  const { system, monitor } = props
  const f = monitor.forecast!
  const latest = f.latest[0]
  return (
    <>
      <Card title={latest ? `Forecast: the ${latest.days.length} days after ${latest.issued.toISOString().slice(0, 10)}` : 'Forecast'} id="forecast">
        {props.charts.forecast ? <InlineSvg class="chart wide" svg={props.charts.forecast} label="Forecast value of each coming day, coloured by its band" /> : (
          <p class="muted">
            No forecast yet: the batch-inference pipeline makes one at its scheduled time. To have one now, use <b>Run now</b> on{' '}
            <code>{system.name}-batch-inference</code> (Pipelines), or <code>sml run {system.name}-batch-inference</code>; <code>sml demo</code> simulates
            past days.
          </p>
        )}
        {latest ? (
          <Table
            id="forecast-days"
            empty="No forecast yet."
            head={['Day', 'Horizon', 'Forecast', 'Band', 'Measured']}
            numeric={[1, 2, 4]}
            rows={latest.days.map((d) => [
              d.date.toISOString().slice(0, 10),
              `${d.horizon} day${d.horizon > 1 ? 's' : ''}`,
              valueText(system, d.predicted),
              d.band ? (
                <span class="band" data-band={d.band.name} style={`background:${d.band.color};color:${textOn(d.band.color)};padding:.1rem .45rem;border-radius:.3rem`}>
                  {d.band.name}
                </span>
              ) : (
                '–'
              ),
              valueText(system, d.actual),
            ])}
          />
        ) : null}
        {f.bands.length ? (
          <p class="small muted" style="margin:.6rem 0 0">
            Bands (each up to and including its upper value): {f.bands.map((b, i) => `${b.name} ${i === 0 ? `0–${b.max}` : Number.isFinite(b.max) ? `${f.bands[i - 1].max}–${b.max}` : `above ${f.bands[i - 1].max}`}`).join(' · ')}
          </p>
        ) : null}
      </Card>
      <Card title="Hindcast" id="hindcast">
        {props.charts.hindcast ? <InlineSvg class="chart wide" svg={props.charts.hindcast} label="One-day-ahead forecasts against the measured values" /> : <p class="muted">No measured day has a one-day-ahead forecast yet.</p>}
      </Card>
      <Card title="Error by horizon" id="mae-by-horizon">
        <Table
          id="horizons"
          empty="No forecasts yet."
          head={['Horizon', 'Forecasts measured since', 'MAE', 'Persistence MAE (same as the issue day)']}
          numeric={[1, 2, 3]}
          rows={f.maeByHorizon.map((h) => [
            `${h.horizon} day${h.horizon > 1 ? 's' : ''}`,
            String(h.forecasts),
            h.mae === null ? '–' : valueText(system, Number(h.mae.toFixed(2))),
            h.persistenceMae === null ? '–' : valueText(system, Number(h.persistenceMae.toFixed(2))),
          ])}
        />
        <p class="small muted" style="margin:.6rem 0 0">
          Each stored forecast whose day has since been measured, by how many days ahead it was made. Persistence forecasts every day ahead to be
          the issue day’s measured value: a forecast is worth reading at a horizon where its error is below that.
        </p>
      </Card>
    </>
  )
}

/** Black or white text, whichever reads better on a #rrggbb background (WCAG relative luminance). */
function textOn(color: string): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color)
  if (!m) return 'inherit'
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(m[1].slice(i, i + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? '#000' : '#fff'
}
