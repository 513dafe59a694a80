// What a page ships for DDSketch, the percentile sketch Datadog's libraries use.
export { DDSketch } from "@datadog/sketches-js";
