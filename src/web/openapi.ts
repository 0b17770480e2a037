import { readFileSync } from 'node:fs'
import { z } from 'zod'
import type { SystemDescription } from '../systems/index.js'
import { errorBodySchema, promoteBodySchema, runIdSchema, runNowBodySchema, runsQuerySchema, sessionBodySchema, versionSchema } from './api-schemas.js'
import { MAX_BATCH, predictSchema } from './predict-input.js'

/**
 * The OpenAPI 3.1 document of the JSON API (`GET /openapi.json`, rendered at `/docs`), built from the zod schemas
 * the handlers validate with: api-schemas.ts for queries, paths and action bodies, `predictSchema(system)` per
 * configured system. Schemas are JSON Schema 2020-12, as OpenAPI 3.1 takes them (`z.toJSONSchema`, input side).
 */

export type JsonSchema = Record<string, unknown>

export interface OpenApiParameter {
  readonly name: string
  readonly in: 'path' | 'query' | 'header' | 'cookie'
  readonly required: boolean
  readonly description?: string
  readonly schema: JsonSchema
}

export interface OpenApiResponse {
  readonly description: string
  readonly headers?: Record<string, { description: string; schema: JsonSchema }>
  readonly content?: Record<string, { schema: JsonSchema; example?: unknown }>
}

export interface OpenApiOperation {
  readonly operationId: string
  readonly summary: string
  readonly description?: string
  readonly tags: readonly string[]
  readonly parameters?: readonly OpenApiParameter[]
  readonly requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema; example?: unknown }> }
  readonly responses: Record<string, OpenApiResponse | { $ref: string }>
  readonly security?: readonly Record<string, string[]>[]
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0'
  readonly info: { title: string; version: string; description: string }
  readonly servers: readonly { url: string }[]
  readonly paths: Record<string, Partial<Record<'get' | 'post' | 'delete', OpenApiOperation>>>
  readonly components: {
    schemas: Record<string, JsonSchema>
    responses: Record<string, OpenApiResponse>
    securitySchemes: Record<string, Record<string, string>>
  }
}

/** name, version and description from package.json: two directories up from src/web/ (tsx) and dist/bin/ (the bundle). */
function packageInfo(): { name: string; version: string; description: string } {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string; description: string }
  } catch {
    return { name: 'serverless-ml', version: 'unknown', description: '' }
  }
}

/** A zod schema as JSON Schema of what a client sends (before defaults and coercion), without `$schema`. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  return rest
}

/** Query parameters of an object schema, one per property. */
function queryParameters(schema: z.ZodObject): OpenApiParameter[] {
  const json = jsonSchemaOf(schema) as { properties: Record<string, JsonSchema>; required?: string[] }
  // Defaults as the schema applies them to an empty query (a preprocessed field's JSON Schema omits them).
  const defaults = (schema.safeParse({}).data ?? {}) as Record<string, unknown>
  return Object.entries(json.properties).map(([name, s]) => {
    const { description, ...rest } = s as { description?: string }
    const schema = defaults[name] === undefined ? rest : { ...rest, default: defaults[name] }
    return { name, in: 'query' as const, required: json.required?.includes(name) ?? false, description, schema }
  })
}

function pathParameter(name: string, description: string, schema: JsonSchema): OpenApiParameter {
  return { name, in: 'path', required: true, description, schema }
}

/**
 * A value the schema accepts, built from it: the first choice of an enum or union of constants, the middle of a
 * number's range (whole for integers), objects with their required properties. Used as each body's example.
 */
export function exampleOf(schema: JsonSchema): unknown {
  const s = schema as {
    const?: unknown
    enum?: unknown[]
    anyOf?: JsonSchema[]
    oneOf?: JsonSchema[]
    type?: string
    minimum?: number
    maximum?: number
    properties?: Record<string, JsonSchema>
    required?: string[]
    items?: JsonSchema
    default?: unknown
  }
  if (s.const !== undefined) return s.const
  if (s.enum) return s.enum[0]
  if (s.anyOf ?? s.oneOf) return exampleOf((s.anyOf ?? s.oneOf)![0])
  switch (s.type) {
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).filter(([k]) => s.required?.includes(k)).map(([k, v]) => [k, exampleOf(v)]))
    case 'array':
      return [exampleOf(s.items ?? {})]
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? 0
      const hi = s.maximum ?? lo + 10
      const mid = lo + (Math.min(hi, lo + 1e6) - lo) / 2
      return s.type === 'integer' ? Math.round(mid) : Math.round(mid * 100) / 100
    }
    case 'boolean':
      return true
    case 'string':
      return s.default ?? 'text'
    default:
      return null
  }
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: JsonSchema, example?: unknown) => ({ 'application/json': example === undefined ? { schema } : { schema, example } })
const ok = (description: string, schema: JsonSchema = { type: 'object' }): OpenApiResponse => ({ description, content: json(schema) })
const errors = (...codes: ('400' | '401' | '403' | '404' | '413' | '415' | '429' | '503')[]) => Object.fromEntries(codes.map((c) => [c, { $ref: `#/components/responses/E${c}` }]))

const ADMIN = [{ bearerAuth: [] }, { adminSession: [], csrfHeader: [] }]
const ADMIN_NOTE =
  'Needs the admin token: `Authorization: Bearer <token>`, or the session cookie from `POST /api/admin/session` plus the CSRF token (header `x-csrf-token`). On a loopback server with no token configured, the CSRF token alone suffices. Forms (`application/x-www-form-urlencoded`) are answered with a 303 redirect instead of JSON.'

/** Response schemas of the JSON API (documentation of what the handlers return). */
export const predictionSchema = z.union([
  z.object({
    prediction: z.union([z.string(), z.number()]).describe('the predicted class label'),
    probabilities: z.record(z.string(), z.number().min(0).max(1)).describe('probability of each class'),
    modelVersion: z.int().min(1),
  }),
  z.object({ prediction: z.number().describe('the predicted value'), unit: z.string().optional(), modelVersion: z.int().min(1) }),
])

export const runSchema = z
  .object({
    id: z.int(),
    pipeline: z.string(),
    status: z.string(),
    trigger: z.string(),
  })
  .loose()
  .describe('one pipeline run (see `sml runs --json` for every field)')

/** The OpenAPI 3.1 document for an app serving these systems. */
export function openApiDocument(systems: readonly SystemDescription[]): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = {
    Error: jsonSchemaOf(errorBodySchema),
    Prediction: jsonSchemaOf(predictionSchema),
    Run: jsonSchemaOf(runSchema),
    PromoteRequest: jsonSchemaOf(promoteBodySchema),
    SessionRequest: jsonSchemaOf(sessionBodySchema),
    RunNowRequest: jsonSchemaOf(runNowBodySchema),
  }
  const paths: OpenApiDocument['paths'] = {
    '/health': { get: { operationId: 'health', summary: 'Liveness: the store, the systems served and the request log', tags: ['service'], responses: { '200': ok('the server is up') } } },
    '/openapi.json': { get: { operationId: 'openapi', summary: 'This document', tags: ['service'], responses: { '200': ok('the OpenAPI 3.1 document') } } },
  }

  for (const system of systems) {
    // air_quality → AirQualityPredictRequest
    const name = `${system.name.split('_').map((w) => (w ? w[0].toUpperCase() + w.slice(1) : '')).join('')}PredictRequest`
    schemas[name] = jsonSchemaOf(predictSchema(system))
    const example = exampleOf((schemas[name] as { anyOf: JsonSchema[] }).anyOf[0])
    paths[`/api/${system.name}/predict`] = {
      post: {
        operationId: `predict_${system.name}`,
        summary: `Predict with the ${system.title} model`,
        description: `One object of ${system.fields.map((f) => f.name).join(', ')} answers one prediction; an array of up to ${MAX_BATCH} answers an array. Unknown fields are refused; the body must be sent as \`content-type: application/json\` (415 otherwise). Every request is logged for monitoring.`,
        tags: ['predict'],
        requestBody: { required: true, content: json(ref(name), example) },
        responses: {
          '200': ok('the prediction (or an array of them, for an array)', { anyOf: [ref('Prediction'), { type: 'array', items: ref('Prediction') }] }),
          ...errors('400', '404', '413', '415', '429'),
        },
      },
    }
  }

  const systemParam = pathParameter('system', 'a configured system', { type: 'string', enum: systems.map((s) => s.name) })
  const modelName = pathParameter('name', 'the model name', { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$' })
  Object.assign(paths, {
    '/api/{system}/monitor': {
      get: { operationId: 'monitor', summary: "A system's monitoring data: accuracy over time, drift, recent predictions", tags: ['monitor'], parameters: [systemParam], responses: { '200': ok('the monitoring data'), ...errors('404') } },
    },
    '/api/models': {
      get: { operationId: 'listModels', summary: 'Every registered model with its versions', tags: ['models'], responses: { '200': ok('the models', { type: 'array', items: { type: 'object' } }) } },
    },
    '/api/models/{name}': {
      get: { operationId: 'getModel', summary: 'One registered model with its versions (metrics, lineage, aliases, promotion decisions)', tags: ['models'], parameters: [modelName], responses: { '200': ok('the model', { type: 'object' }), ...errors('404') } },
    },
    '/api/models/{name}/promote': {
      post: {
        operationId: 'promoteModel',
        summary: 'Give a version the production alias',
        description: ADMIN_NOTE,
        tags: ['models'],
        parameters: [modelName],
        requestBody: { required: true, content: { ...json(ref('PromoteRequest'), { version: 1 }), 'application/x-www-form-urlencoded': { schema: ref('PromoteRequest') } } },
        security: ADMIN,
        responses: { '200': ok('the version with its aliases', { type: 'object', properties: { name: { type: 'string' }, version: { type: 'integer' }, aliases: { type: 'array', items: { type: 'string' } } } }), ...errors('400', '401', '403', '404', '413') },
      },
    },
    '/api/models/{name}/versions/{version}/artifacts/{file}': {
      get: {
        operationId: 'downloadArtifact',
        summary: "Download one of a model version's stored files, checked against its recorded sha256",
        tags: ['models'],
        parameters: [modelName, pathParameter('version', 'the model version', jsonSchemaOf(versionSchema)), pathParameter('file', 'the artifact file name, e.g. model.json', { type: 'string' })],
        responses: {
          '200': {
            description: 'the file; `Repr-Digest` and `X-Checksum-Sha256` carry its sha-256',
            headers: { 'x-checksum-sha256': { description: 'sha-256 of the file, hex', schema: { type: 'string' } } },
            content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
          },
          ...errors('400', '404'),
        },
      },
    },
    '/api/runs': {
      get: { operationId: 'listRuns', summary: 'Pipeline runs, newest first', tags: ['runs'], parameters: queryParameters(runsQuerySchema), responses: { '200': ok('the runs', { type: 'array', items: ref('Run') }), ...errors('400') } },
    },
    '/api/runs/{id}': {
      get: {
        operationId: 'getRun',
        summary: 'One run with its attempts and log lines',
        tags: ['runs'],
        parameters: [pathParameter('id', 'the run id', jsonSchemaOf(runIdSchema))],
        responses: { '200': ok('the run', ref('Run')), ...errors('400', '404') },
      },
    },
    '/api/pipelines': {
      get: { operationId: 'listPipelines', summary: 'Every pipeline with its schedule, next and last run', tags: ['pipelines'], responses: { '200': ok('the pipelines', { type: 'array', items: { type: 'object' } }) } },
    },
    '/api/pipelines/{name}/runs': {
      post: {
        operationId: 'runPipeline',
        summary: 'Run now: start a manual run of a pipeline in its own process',
        description: ADMIN_NOTE,
        tags: ['pipelines'],
        parameters: [pathParameter('name', 'the pipeline name', { type: 'string' })],
        requestBody: { required: false, content: { ...json(ref('RunNowRequest'), {}), 'application/x-www-form-urlencoded': { schema: ref('RunNowRequest') } } },
        security: ADMIN,
        responses: {
          '202': ok('the run has started; follow it at `runs`', { type: 'object', properties: { pipeline: { type: 'string' }, pid: { type: 'integer' }, trigger: { const: 'manual' }, runs: { type: 'string' } } }),
          ...errors('400', '401', '403', '404', '413', '503'),
        },
      },
    },
    '/api/admin/session': {
      post: {
        operationId: 'signIn',
        summary: 'Exchange the admin token for an HttpOnly session cookie',
        description: 'Beyond loopback, at most 10 attempts per minute from one client.',
        tags: ['admin'],
        requestBody: { required: true, content: { ...json(ref('SessionRequest'), { token: 'your-admin-token' }), 'application/x-www-form-urlencoded': { schema: ref('SessionRequest') } } },
        responses: { '200': ok('signed in; the `sml_admin` cookie is set', { type: 'object', properties: { ok: { const: true } } }), ...errors('400', '401', '403', '413', '429') },
      },
      delete: { operationId: 'signOut', summary: 'End the admin session (clears the cookie)', tags: ['admin'], responses: { '200': ok('signed out', { type: 'object', properties: { ok: { const: true } } }) } },
    },
  })

  const error = (description: string, headers?: OpenApiResponse['headers']): OpenApiResponse => ({ description, ...(headers ? { headers } : {}), content: json(ref('Error')) })
  return {
    openapi: '3.1.0',
    info: (({ name, version, description }) => ({ title: name, version, description }))(packageInfo()),
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas,
      responses: {
        E400: error('the input was refused: `issues` names each field and the reason'),
        E401: error('the admin token is missing or wrong', { 'www-authenticate': { description: 'the scheme to use: `Bearer realm="sml admin"`', schema: { type: 'string' } } }),
        E403: error('the CSRF token is missing, or actions are disabled on this server'),
        E404: error('no such system, model, version, run, pipeline or file'),
        E413: error('the request body is too large'),
        E415: error('the body is not sent as `application/json`, or is compressed'),
        E429: error('too many requests from this client', { 'retry-after': { description: 'seconds until the window ends', schema: { type: 'integer' } } }),
        E503: error('this server cannot start runs'),
      },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'the admin token (SML_ADMIN_TOKEN, or the one `sml start` printed)' },
        adminSession: { type: 'apiKey', in: 'cookie', name: 'sml_admin', description: 'set by POST /api/admin/session' },
        csrfHeader: { type: 'apiKey', in: 'header', name: 'x-csrf-token', description: 'the value of the sml_csrf cookie (double submit)' },
      },
    },
  }
}
