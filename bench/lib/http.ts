import { request } from 'node:http';

/** One GET with a short timeout; resolves to the status code, or 0 when nothing answered. */
function get(ip: string, port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: ip, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', () => resolve(0));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Polls http://ip:port/ every 5 ms until it answers 200 (the same poller for every
 * contender, so it adds the same to each). Throws when the deadline passes.
 */
export async function waitHttp200(ip: string, port = 80, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await get(ip, port, 1000)) === 200) return;
    if (Date.now() > deadline) throw new Error(`http://${ip}:${port}/ did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
