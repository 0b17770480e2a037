import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface Sml {
  readonly child: ChildProcess
  readonly done: Promise<Exit>
  /** Resolves with the first stderr (or stdout) text matching `re` seen so far or later; rejects after `timeoutMs` or on exit. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>
  /** SIGKILL: no handler, no finally, no flush. */
  kill9(): void
  stdout(): string
  stderr(): string
}

/** Starts `sml …` from source (tsx) as its own process, watching its output. */
export function startSml(args: readonly string[], env: Record<string, string | undefined>): Sml {
  return startProcess(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, ...env } })
}

/**
 * Starts any command as its own process, watching its output. `detached` makes it a process group leader, so
 * `process.kill(-child.pid)` stops what it starts too (`npm start` runs a shell that runs node).
 */
export function startProcess(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string; detached?: boolean }): Sml {
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, detached: options.detached ?? false, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  const watchers = new Set<() => void>()
  child.stdout!.on('data', (d) => {
    out += d
    for (const w of watchers) w()
  })
  child.stderr!.on('data', (d) => {
    err += d
    for (const w of watchers) w()
  })
  const done = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err })))
  let exited = false
  void done.then(() => {
    exited = true
    for (const w of watchers) w()
  })
  return {
    child,
    done,
    stdout: () => out,
    stderr: () => err,
    kill9: () => void child.kill('SIGKILL'),
    waitFor(re, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(err) ?? re.exec(out)
          if (m) return finish(() => resolve(m[0]))
          if (exited) return finish(() => reject(new Error(`process exited before ${re}: ${err.slice(-2000)}`)))
        }
        const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${re}: ${err.slice(-2000)}`))), timeoutMs)
        const finish = (f: () => void) => {
          clearTimeout(timer)
          watchers.delete(check)
          f()
        }
        watchers.add(check)
        check()
      })
    },
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
