// What a page ships for Sentry with request tracing.
import * as Sentry from "@sentry/browser";

export function start(dsn) {
  Sentry.init({ dsn, integrations: [Sentry.browserTracingIntegration()], tracesSampleRate: 1 });
}
