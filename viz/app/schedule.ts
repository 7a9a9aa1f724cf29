/** Drawing the page at the next animation frame, through the App's render hook (render.ts, wired by main.ts). */
import type { App } from './state.js';

export function scheduleRender(app: App): void {
  if (app.view.renderQueued) return;
  app.view.renderQueued = true;
  requestAnimationFrame(() => {
    app.view.renderQueued = false;
    app.hooks.render(app);
  });
}
