import type { SystemDescription } from '../../systems/index.js'
import { Document } from '../layout.js'

/** A whole HTML error page in the site layout (404 for a client's mistake, 500 for ours). */
export function errorPage(systems: readonly SystemDescription[], status: number, message: string) {
  const title = status === 404 ? 'Not found' : status === 405 ? 'Method not allowed' : status >= 500 ? 'Something went wrong' : 'Bad request'
  return (
    <Document systems={systems} title={title}>
      <section class="card" id="error" data-status={String(status)}>
        <h1>
          {status} · {title}
        </h1>
        <p>{message}</p>
        <p>
          <a href="/">Back to the dashboard</a>
          {systems.map((s) => (
            <>
              {' '}· <a href={`/${s.name}`}>{s.title}</a>
            </>
          ))}
        </p>
      </section>
    </Document>
  )
}
