// What a page ships for Datadog RUM (the slim build, no session replay) tracing its API calls.
import { datadogRum } from "@datadog/browser-rum-slim";

export function start(proxy) {
  datadogRum.init({ applicationId: "bench", clientToken: "bench", site: "datadoghq.com", proxy, trackResources: true });
}
