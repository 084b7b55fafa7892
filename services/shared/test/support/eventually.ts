/** Retries an assertion until it passes or the time is up; the last failure is thrown. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10000, stepMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, stepMs));
    }
  }
}
