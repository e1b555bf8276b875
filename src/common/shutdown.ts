/**
 * Nest's shutdown hooks stop the listener and wait for in-flight requests and jobs; this
 * bounds the wait so that a stuck request cannot keep a stopping process alive forever.
 */
export function forceExitAfter(timeoutMs: number): void {
  const arm = (signal: NodeJS.Signals) =>
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(
          `Shutdown took longer than ${timeoutMs} ms after ${signal}; exiting\n`,
        );
        process.exit(1);
      }, timeoutMs).unref();
    });
  arm('SIGTERM');
  arm('SIGINT');
}
