// The render loop: at most one frame every `intervalMs` (~4/s), always inside
// requestAnimationFrame so a hidden tab stops rendering and frames line up with paint.

export function frameLoop(render, intervalMs = 250) {
  let timer = 0;
  let raf = 0;
  let stopped = false;
  const tick = () => {
    raf = 0;
    if (stopped) return;
    render();
    timer = setTimeout(() => (raf = requestAnimationFrame(tick)), intervalMs);
  };
  raf = requestAnimationFrame(tick);
  return {
    /** Renders on the next animation frame, e.g. right after a click. */
    soon() {
      if (stopped || raf) return;
      clearTimeout(timer);
      raf = requestAnimationFrame(tick);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      cancelAnimationFrame(raf);
    },
  };
}
