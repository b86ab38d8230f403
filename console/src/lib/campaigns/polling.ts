/**
 * Runs `task` now and then every `intervalMs` while the page is visible, and once more
 * when it becomes visible again. A run starts only after the previous one settled.
 * Returns the function that stops it, for an effect's cleanup.
 */
export function pollWhileVisible(task: () => Promise<void>, intervalMs: number): () => void {
  let stopped = false;
  let running = false;

  const run = () => {
    if (stopped || running || document.visibilityState !== 'visible') return;
    running = true;
    task()
      .catch((error: unknown) => console.warn('A periodic refresh failed; it runs again on the next tick.', error))
      .finally(() => {
        running = false;
      });
  };

  run();
  const timer = setInterval(run, intervalMs);
  document.addEventListener('visibilitychange', run);
  return () => {
    stopped = true;
    clearInterval(timer);
    document.removeEventListener('visibilitychange', run);
  };
}
