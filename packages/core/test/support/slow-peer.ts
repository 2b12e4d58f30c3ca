import { type ChildProcess, spawn } from 'node:child_process'
import net from 'node:net'

/**
 * A real TCP peer that answers a connect only after about a second, like a StatsD some way off
 * or busy: it listens with a one-slot accept queue in a child process, blocks that process,
 * and fills the queue, so the kernel drops the next SYN and the client resends it ~1 s later.
 * What reaches it is collected in `received`.
 */
export class SlowPeer {
  received = ''
  private readonly fillers: net.Socket[] = []

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.setEncoding('latin1')
    child.stdout?.on('data', (chunk: string) => {
      this.received += chunk
    })
  }

  static async start(): Promise<SlowPeer> {
    const script = `
      const net = require('node:net')
      const server = net.createServer((c) => {
        c.setEncoding('latin1')
        c.on('data', (d) => process.stdout.write(d))
        c.on('error', () => {})
      })
      server.listen(0, '127.0.0.1', 1, () => {
        process.stderr.write(server.address().port + '\\n')
        process.stdin.once('data', () => {
          const until = Date.now() + 600
          while (Date.now() < until);
        })
      })
    `
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] })
    const port = await new Promise<number>((resolve) =>
      child.stderr.once('data', (data) => resolve(Number(String(data).trim()))),
    )
    const peer = new SlowPeer(child, port)
    child.stdin.write('block\n')
    await new Promise((resolve) => setTimeout(resolve, 100))
    for (let i = 0; i < 4; i++) {
      const filler = net.connect(port, '127.0.0.1')
      filler.on('error', () => {})
      peer.fillers.push(filler)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
    return peer
  }

  lines(): string[] {
    return this.received.split('\n').filter((line) => line !== '')
  }

  stop(): void {
    for (const filler of this.fillers) filler.destroy()
    this.child.kill()
  }
}
