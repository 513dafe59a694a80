// What a page ships for HdrHistogram (its JS build; the wasm build inlines its module).
export { build } from "hdr-histogram-js";
