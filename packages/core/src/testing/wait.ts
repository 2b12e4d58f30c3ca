/**
 * Polls `check` (sync or async) until it holds; the way to wait for something a test cannot
 * await directly, such as datagrams arriving. Fails after `timeoutMs`, naming `what`.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
  intervalMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
