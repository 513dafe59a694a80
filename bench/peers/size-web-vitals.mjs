// What a page ships for web-vitals: every metric it reports.
export { onCLS, onFCP, onINP, onLCP, onTTFB } from "web-vitals";
