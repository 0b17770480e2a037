import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { FIXTURE_PIPELINES_MODULE } from './pipelines.js'

const MAIN = fileURLToPath(new URL('../../cli/main.ts', import.meta.url))

export interface SmlProcess {
  readonly child: ChildProcess
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>
}

/** Starts `sml …` from source (tsx) with the fixture pipelines and the given store environment; `ipc` opens a channel to it. */
export function startSml(args: readonly string[], env: Record<string, string>, options: { readonly ipc?: boolean } = {}): SmlProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, SML_PIPELINES_MODULE: FIXTURE_PIPELINES_MODULE, ...env },
    // `ipc`: as `sml worker` starts each tick's `sml run` (childProcessExecutor).
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  // On exit and both streams' end, not on 'close': a child whose IPC channel its parent disconnected never emits it.
  const ended = (s: NodeJS.ReadableStream) => new Promise<void>((r) => s.on('end', r))
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (code, signal) => r([code, signal])))
  const done = Promise.all([exited, ended(child.stdout!), ended(child.stderr!)]).then(([[code, signal]]) => ({ code, signal, stdout, stderr }))
  return { child, done }
}

export function sml(args: readonly string[], env: Record<string, string>) {
  return startSml(args, env).done
}

/** Polls `check` until it returns a value (not undefined), failing after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
